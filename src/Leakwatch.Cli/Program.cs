using Leakwatch.Cli;

return LeakwatchCli.Run(args);
