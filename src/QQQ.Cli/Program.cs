return QQQ.Cli.CommandLine.Run(args);
