namespace Pocket.Training.Models;

/// <summary>The network-wide bypass choice of the SqueezeNet paper's §6.2.</summary>
public enum SqueezeNetBypassMode { None, Simple, Complex }
