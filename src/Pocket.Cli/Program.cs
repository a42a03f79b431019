using Pocket.Cli;

return PocketApp.Run(args);
