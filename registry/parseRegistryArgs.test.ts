import { describe, expect, test } from 'vitest';
import { DEFAULT_REGISTRY_PORT, parseRegistryArgs } from './parseRegistryArgs.js';

describe('parseRegistryArgs', () => {
  test.each([
    { argv: [], port: DEFAULT_REGISTRY_PORT },
    { argv: ['--port', '18082'], port: 18082 },
    { argv: ['--port=0'], port: 0 },
  ])('$argv → port $port', ({ argv, port }) => {
    expect(parseRegistryArgs(argv)).toEqual({ ok: true, value: { port } });
  });

  test.each([[['--port']], [['--port', 'x']], [['--port', '70000']], [['--host', 'a']], [['18081']]])(
    '%j is refused with a reason',
    (argv) => {
      const result = parseRegistryArgs(argv);
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.error).toMatch(/--port|unknown argument/);
    },
  );
});
