namespace Pocket.Training.Data;

/// <summary>An image-folder dataset or one of its files that cannot be used; the message is one line naming the folder or file.</summary>
public sealed class ImageFolderException(string message) : Exception(message);
