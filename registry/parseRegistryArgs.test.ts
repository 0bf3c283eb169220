import { describe, expect, test } from 'vitest';
import { DEFAULT_REGISTRY_PORT, parseRegistryArgs } from './parseRegistryArgs.js';

describe('parseRegistryArgs', () => {
  test.each([
    { argv: ['--users', 'u.json'], port: DEFAULT_REGISTRY_PORT },
    { argv: ['--port', '18082', '--users', 'u.json'], port: 18082 },
    { argv: ['--port=0', '--users=u.json'], port: 0 },
  ])('$argv → port $port', ({ argv, port }) => {
    expect(parseRegistryArgs(argv)).toEqual({
      ok: true,
      value: { port, usersFile: 'u.json', defaultCompatibility: undefined },
    });
  });

  test('--compatibility sets the default global level', () => {
    expect(parseRegistryArgs(['--users', 'u', '--compatibility', 'full_transitive'])).toEqual({
      ok: true,
      value: { port: DEFAULT_REGISTRY_PORT, usersFile: 'u', defaultCompatibility: 'FULL_TRANSITIVE' },
    });
  });

  test.each([
    [['--port'], /--port/],
    [['--port', 'x', '--users', 'u'], /--port/],
    [['--port', '70000', '--users', 'u'], /--port/],
    [['--host', 'a'], /unknown argument/],
    [['18081'], /unknown argument/],
    [['--users'], /--users/],
    [[], /--users FILE is required/],
    [['--port', '18082'], /--users FILE is required/],
    [['--users', 'u', '--compatibility', 'SOMETIMES'], /--compatibility SOMETIMES: expected one of NONE/],
  ])('%j is refused with a reason', (argv, reason) => {
    const result = parseRegistryArgs(argv);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toMatch(reason);
  });
});
