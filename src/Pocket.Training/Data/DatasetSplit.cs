namespace Pocket.Training.Data;

/// <summary>A dataset's training and test parts.</summary>
public sealed record DatasetSplit(string Name, ImageDataset Train, ImageDataset Test);
