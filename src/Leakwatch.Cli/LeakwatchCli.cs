using System.CommandLine;
using Leakwatch.Core.Errors;
using Spectre.Console;

namespace Leakwatch.Cli;

public static class LeakwatchCli
{
    public static int Run(string[] args)
    {
        Storage.Memory.HugePages.AdviseManagedHeap();
        CheckCommand.PrewarmPhones(args);
        var root = new RootCommand("Leakwatch: self-hosted breach exposure. Ingest leak dumps into a private index and check who is exposed.");
        root.Options.Add(CliContext.DataDir);
        root.Options.Add(CliContext.State);
        root.Options.Add(CliContext.KeyFilePath);
        root.Options.Add(CliContext.RetainGenerations);
        root.Subcommands.Add(IngestCommand.Build());
        root.Subcommands.Add(CheckCommand.Build());
        foreach (var c in BreachCommands.Build())
        {
            root.Subcommands.Add(c);
        }

        root.Subcommands.Add(VerifyCommand.Build());
        root.Subcommands.Add(FsckCommand.Build());
        root.Subcommands.Add(GenerateCommand.Build());
        root.Subcommands.Add(DemoCommand.Build());
        root.Subcommands.Add(PasswordsCommand.Build());
        root.Subcommands.Add(ExportCommand.Build());
        root.Subcommands.Add(ServeCommand.Build());
        root.Subcommands.Add(KeysCommand.Build());
        root.Subcommands.Add(PrivateCommand.Build());
        root.Subcommands.Add(StateCommand.Build());
        root.Subcommands.Add(NotifyCommand.Build());
        // Domain verification (issue 16).
        root.Subcommands.Add(DomainsCommand.Build());

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors)
            {
                Console.Error.WriteLine($"leakwatch: {e.Message}");
            }

            Console.Error.WriteLine("Run 'leakwatch --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            CliContext.ApplyRetention(parsed);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"leakwatch: error: {e.Message}");
            return ExitCodes.Usage;
        }

        return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }

    /// <summary>Runs a command body, turning every known failure into one line on stderr and an exit code.</summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            InternalFaultForTests.ThrowIfRequested();
            return body();
        }
        catch (LeakwatchException e)
        {
            return Fail(e.Message, ExitCodes.For(e.Kind));
        }
        catch (AggregateException e) when (e.Flatten().InnerExceptions.Count > 0)
        {
            // A parallel phase (the OPRF evaluation, the sorts) wraps what a worker threw: a full disk there is the
            // same one-line data-dir error, not an internal one.
            var inner = e.Flatten().InnerExceptions[0];
            return Guard(() =>
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
                return ExitCodes.Internal;
            });
        }
        catch (OperationCanceledException)
        {
            return Fail("interrupted; the published index is unchanged", ExitCodes.Interrupted);
        }
        catch (IOException e)
        {
            return Fail(e.Message, ExitCodes.DataDir);
        }
        catch (UnauthorizedAccessException e)
        {
            return Fail(e.Message, ExitCodes.DataDir);
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("LEAKWATCH_DEBUG") is null)
        {
            return Fail($"internal error: {e.GetType().Name}: {e.Message} (set LEAKWATCH_DEBUG=1 for details)", ExitCodes.Internal);
        }
    }

    private static int Fail(string message, int code)
    {
        Console.Error.WriteLine($"leakwatch: error: {message.ReplaceLineEndings(" ")}");
        return code;
    }

    /// <summary>Progress bars only when a person is watching; pipes and CI stay quiet.</summary>
    public static bool Interactive => !Console.IsOutputRedirected && !Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive;
}
