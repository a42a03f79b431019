Console.WriteLine(Pocket.Training.Stub.Probe());
