import { describe, expect, test } from 'vitest';
import {
  type AnchorHead,
  anchorFromJson,
  anchorRoot,
  anchorToJson,
  compareWithAnchor,
  makeAnchor,
} from './auditAnchor.js';

const hash = (c: string) => c.repeat(64);
const position = new Map([
  [
    'ns.clinical-events',
    new Map([
      [0, 120n],
      [1, 98n],
    ]),
  ],
]);
const heads: AnchorHead[] = [
  { nhsNumber: '9990000026', chainSeq: 3n, entryHash: hash('b') },
  { nhsNumber: '9990000018', chainSeq: 5n, entryHash: hash('a') },
];
const takenAt = new Date('2026-11-26T10:00:00Z');

describe('audit anchors', () => {
  test('the root is independent of order, and covers the position and every head', () => {
    const root = anchorRoot(position, heads);
    expect(root).toMatch(/^[0-9a-f]{64}$/);
    expect(anchorRoot(position, [...heads].reverse())).toBe(root);
    const reordered = new Map([
      [
        'ns.clinical-events',
        new Map([
          [1, 98n],
          [0, 120n],
        ]),
      ],
    ]);
    expect(anchorRoot(reordered, heads)).toBe(root);
    expect(
      anchorRoot(
        new Map([
          [
            'ns.clinical-events',
            new Map([
              [0, 121n],
              [1, 98n],
            ]),
          ],
        ]),
        heads,
      ),
    ).not.toBe(root);
    const [first, second] = heads;
    if (first === undefined || second === undefined) throw new Error('two heads');
    expect(anchorRoot(position, [first, { ...second, chainSeq: 4n }])).not.toBe(root);
    expect(anchorRoot(position, [first, { ...second, entryHash: hash('c') }])).not.toBe(root);
    expect(anchorRoot(position, [first])).not.toBe(root);
  });

  test('a full anchor round-trips through JSON; a root-only one keeps the root', () => {
    const anchor = makeAnchor(takenAt, position, heads);
    expect(anchor).toMatchObject({ patients: 2, entries: 8n });
    const full = anchorFromJson(JSON.parse(JSON.stringify(anchorToJson(anchor, { withHeads: true }))));
    expect(full).toEqual({ ok: true, anchor });
    const rootOnly = anchorFromJson(JSON.parse(JSON.stringify(anchorToJson(anchor, { withHeads: false }))));
    expect(rootOnly.ok && rootOnly.anchor.root).toBe(anchor.root);
    expect(rootOnly.ok && rootOnly.anchor.heads).toBeUndefined();
  });

  test('an anchor whose heads were edited, or with a malformed field, is refused naming the field', () => {
    const json = anchorToJson(makeAnchor(takenAt, position, heads), { withHeads: true });
    const edited = { ...json, heads: json.heads?.map((h) => ({ ...h, chainSeq: '1' })) };
    expect(anchorFromJson(edited)).toEqual({
      ok: false,
      error: 'the heads do not give the root: the anchor was altered',
    });
    expect(anchorFromJson({ ...json, format: 'x' })).toMatchObject({ ok: false, error: /format/ });
    expect(anchorFromJson({ ...json, root: 'abc' })).toMatchObject({ ok: false, error: /root/ });
    expect(anchorFromJson({ ...json, takenAt: 'yesterday' })).toMatchObject({ ok: false, error: /takenAt/ });
    expect(anchorFromJson({ ...json, position: { t: { 0: 5 } } })).toMatchObject({
      ok: false,
      error: /position\.t\.0/,
    });
    expect(anchorFromJson({ ...json, heads: [{ nhsNumber: '1' }] })).toMatchObject({ ok: false, error: /heads\[0\]/ });
    expect(anchorFromJson(null)).toMatchObject({ ok: false });
  });

  test('compared with the heads recomputed now: intact, or each patient that differs', () => {
    const anchor = makeAnchor(takenAt, position, heads);
    expect(compareWithAnchor(anchor, [...heads].reverse())).toEqual({
      intact: true,
      anchoredRoot: anchor.root,
      root: anchor.root,
      differences: [],
    });
    const [first, second] = heads;
    if (first === undefined || second === undefined) throw new Error('two heads');
    const truncated = { ...second, chainSeq: 3n, entryHash: hash('d') };
    const newcomer = { nhsNumber: '9990000034', chainSeq: 1n, entryHash: hash('e') };
    const verdict = compareWithAnchor(
      anchor,
      [first, truncated, newcomer].filter((h) => h !== first),
    );
    expect(verdict.intact).toBe(false);
    expect(verdict.differences).toEqual([
      { nhsNumber: '9990000018', anchored: second, now: truncated },
      { nhsNumber: '9990000026', anchored: first, now: undefined },
      { nhsNumber: '9990000034', anchored: undefined, now: newcomer },
    ]);
    // With the root alone, the verdict says whether, not who.
    const { heads: _heads, ...rootOnly } = anchor;
    expect(compareWithAnchor(rootOnly, [second])).toMatchObject({ intact: false, differences: [] });
  });
});
