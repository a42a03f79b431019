namespace Pocket.Runtime; internal static class Placeholder { }
