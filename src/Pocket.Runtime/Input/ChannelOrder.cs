namespace Pocket.Runtime.Input;

/// <summary>The order of the colour channels the model expects (decoded images are RGB).</summary>
public enum ChannelOrder { Rgb, Bgr }
