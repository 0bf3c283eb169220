/**
 * Runs a command-line entry point: its result is the exit code; a thrown error prints its
 * message (which names the thing to fix) and exits 1. I/O.
 */
export function runCommand(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
