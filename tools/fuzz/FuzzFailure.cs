namespace Pocket.Fuzz;

/// <summary>
/// An input made a reader misbehave: an exception of an undocumented type, a message that is not one line naming
/// the source, or an allocation beyond the bound. Thrown (never caught) by the input checks, so the fuzzer records the
/// input as a crash and a test reports it as a failure.
/// </summary>
public sealed class FuzzFailure(string message, Exception? inner = null) : Exception(message, inner);
