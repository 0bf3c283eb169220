import { readFileSync } from 'node:fs';
import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import {
  encodeMllpFrame,
  feedMllp,
  finishMllp,
  initialMllpState,
  type MllpDecoderState,
  type MllpFramingError,
} from './mllpFrameDecoder.js';

const VT = 0x0b;
const FS = 0x1c;
const CR = 0x0d;
const ascii = (text: string): number[] => Array.from(text, (char) => char.charCodeAt(0));
const frameOf = (payload: readonly number[]): number[] => [VT, ...payload, FS, CR];
const sample = readFileSync(new URL('../../test/samples/hl7v2/adt_a03_utf8.hl7', import.meta.url));

/** Payload bytes: anything but VT and FS, with CR (the byte that follows FS) made common. */
const payload = fc.array(
  fc.oneof(
    fc.integer({ min: 0, max: 255 }).filter((byte) => byte !== VT && byte !== FS),
    fc.constant(CR),
  ),
  { maxLength: 40 },
);

/** Feeds the chunks in order, then ends the stream; frames as plain arrays for readable comparisons. */
function decodeAll(chunks: readonly (readonly number[])[], maxFrameBytes?: number) {
  let state: MllpDecoderState = initialMllpState(maxFrameBytes);
  const frames: number[][] = [];
  const errors: MllpFramingError[] = [];
  const largestPending: number[] = [];
  for (const chunk of [...chunks.map((bytes) => Uint8Array.from(bytes)), undefined]) {
    const fed = chunk === undefined ? finishMllp(state) : feedMllp(state, chunk);
    state = fed.state;
    frames.push(...fed.frames.map((frame) => [...frame]));
    errors.push(...fed.errors);
    largestPending.push(state.pendingBytes);
  }
  return { frames, errors, largestPending: Math.max(...largestPending) };
}

/** Splits bytes at the given cut points. */
function cut(bytes: readonly number[], points: readonly number[]): number[][] {
  const sorted = [...new Set(points.map((point) => point % (bytes.length + 1)))].sort((a, b) => a - b);
  return [0, ...sorted].map((start, i) => bytes.slice(start, sorted[i] ?? bytes.length));
}

describe('feedMllp', () => {
  test.each([
    { name: 'one frame', chunks: [frameOf(ascii('MSH|1'))], frames: [ascii('MSH|1')], errors: [] },
    {
      name: 'two frames in one chunk',
      chunks: [[...frameOf(ascii('A')), ...frameOf(ascii('B'))]],
      frames: [ascii('A'), ascii('B')],
      errors: [],
    },
    {
      name: 'a frame split inside its end marker',
      chunks: [[VT, ...ascii('AB'), FS], [CR]],
      frames: [ascii('AB')],
      errors: [],
    },
    { name: 'an empty frame', chunks: [[VT, FS, CR]], frames: [[]], errors: [] },
    {
      name: 'junk before and between frames is skipped and counted',
      chunks: [[...ascii('xyz'), ...frameOf(ascii('A')), 0x0a, ...frameOf(ascii('B'))]],
      frames: [ascii('A'), ascii('B')],
      errors: [
        { kind: 'junk-outside-frame', bytes: 3 },
        { kind: 'junk-outside-frame', bytes: 1 },
      ],
    },
    {
      name: 'a stray CR or FS outside a frame is junk',
      chunks: [[CR, FS, CR]],
      frames: [],
      errors: [{ kind: 'junk-outside-frame', bytes: 3 }],
    },
    {
      name: 'FS followed by the next frame: tolerated, the frame ends at FS',
      chunks: [[VT, ...ascii('A'), FS, VT, ...ascii('B'), FS, CR]],
      frames: [ascii('A'), ascii('B')],
      errors: [{ kind: 'missing-cr-after-end-block' }],
    },
    {
      name: 'FS followed by another byte: the frame is delivered and the byte is junk',
      chunks: [[VT, ...ascii('A'), FS, 0x0a], frameOf(ascii('B'))],
      frames: [ascii('A'), ascii('B')],
      errors: [{ kind: 'missing-cr-after-end-block' }, { kind: 'junk-outside-frame', bytes: 1 }],
    },
    {
      name: 'FS at the end of the stream: delivered, reported at finish',
      chunks: [[VT, ...ascii('A'), FS]],
      frames: [ascii('A')],
      errors: [{ kind: 'missing-cr-after-end-block' }],
    },
    {
      name: 'VT inside a frame restarts it',
      chunks: [[VT, ...ascii('AB'), VT, ...ascii('C'), FS, CR]],
      frames: [ascii('C')],
      errors: [{ kind: 'frame-restarted', discardedBytes: 2 }],
    },
    {
      name: 'the stream ends inside a frame',
      chunks: [[VT, ...ascii('ABC')]],
      frames: [],
      errors: [{ kind: 'incomplete-frame', bytes: 3 }],
    },
    { name: 'nothing at all', chunks: [[]], frames: [], errors: [] },
  ])('$name', ({ chunks, frames, errors }) => {
    const decoded = decodeAll(chunks);
    expect({ frames: decoded.frames, errors: decoded.errors }).toEqual({ frames, errors });
  });

  test.each([
    { name: 'a payload of exactly maxFrameBytes is accepted', payload: 4, frames: 2, errors: [] },
    {
      name: 'one byte more is reported once and discarded, and the next frame still arrives',
      payload: 5,
      frames: 1,
      errors: [{ kind: 'frame-too-large', maxFrameBytes: 4 }],
    },
  ])('$name', ({ payload, frames, errors }) => {
    const big = frameOf(ascii('X'.repeat(payload)));
    const decoded = decodeAll([[...big.slice(0, 3)], [...big.slice(3), ...frameOf(ascii('OK'))]], 4);
    expect({ frames: decoded.frames.length, errors: decoded.errors }).toEqual({ frames, errors });
    expect(decoded.frames.at(-1)).toEqual(ascii('OK'));
  });

  test('an oversized frame fed a byte at a time is reported once and never buffered past the limit', () => {
    const huge = frameOf(ascii('Y'.repeat(1000)));
    const decoded = decodeAll(
      [...huge, ...frameOf(ascii('OK'))].map((byte) => [byte]),
      16,
    );
    expect(decoded.errors).toEqual([{ kind: 'frame-too-large', maxFrameBytes: 16 }]);
    expect(decoded.frames).toEqual([ascii('OK')]);
    expect(decoded.largestPending).toBeLessThanOrEqual(16);
  });

  test.each([
    { name: 'negative', limit: -1 },
    { name: 'fractional', limit: 1.5 },
    { name: 'not a number', limit: Number.NaN },
    { name: 'infinite', limit: Number.POSITIVE_INFINITY },
  ])('a $name maxFrameBytes refuses every non-empty frame', ({ limit }) => {
    expect(decodeAll([frameOf(ascii('A'))], limit).errors).toEqual([{ kind: 'frame-too-large', maxFrameBytes: 0 }]);
  });

  test('a real message split at every byte position comes out whole', () => {
    const stream = [...frameOf([...sample]), ...frameOf([...sample])];
    for (let at = 0; at <= stream.length; at++) {
      const decoded = decodeAll([stream.slice(0, at), stream.slice(at)]);
      expect(decoded.errors).toEqual([]);
      expect(decoded.frames).toEqual([[...sample], [...sample]]);
    }
  });

  test('a frame is delivered at its FS, before its CR arrives', () => {
    const fed = feedMllp(initialMllpState(), Uint8Array.from([VT, ...ascii('A'), FS]));
    expect(fed.frames.map((frame) => [...frame])).toEqual([ascii('A')]);
    expect(feedMllp(fed.state, Uint8Array.from([CR]))).toMatchObject({ frames: [], errors: [], completed: 0 });
  });

  test.each([
    {
      name: 'a delivered frame, with the next one open',
      chunk: [...frameOf(ascii('A')), VT, ...ascii('B')],
      completed: 1,
    },
    { name: 'a frame too large, discarded at its FS', chunk: frameOf(ascii('XXXXX')), completed: 1 },
    { name: 'a restarted frame', chunk: [VT, ...ascii('A'), VT, ...ascii('B')], completed: 0 },
    { name: 'two frames', chunk: [...frameOf(ascii('A')), ...frameOf(ascii('B'))], completed: 2 },
    { name: 'a stray FS outside a frame', chunk: [FS, CR], completed: 0 },
  ])('completed counts frames that reached their FS: $name', ({ chunk, completed }) => {
    expect(feedMllp(initialMllpState(4), Uint8Array.from(chunk)).completed).toBe(completed);
  });

  test('the decoder copies payload bytes, so a reused chunk buffer does not change a pending frame', () => {
    const chunk = Uint8Array.from([VT, ...ascii('AB')]);
    const first = feedMllp(initialMllpState(), chunk);
    chunk.fill(0x5a);
    const second = feedMllp(first.state, Uint8Array.from([FS, CR]));
    expect([...(second.frames[0] ?? [])]).toEqual(ascii('AB'));
  });

  const junk = fc.array(
    fc.integer({ min: 0, max: 255 }).filter((byte) => byte !== VT),
    { maxLength: 4 },
  );
  const stream = fc.array(fc.tuple(junk, payload), { maxLength: 5 });

  propTest.prop([stream, fc.array(fc.nat(), { maxLength: 30 })])(
    'any chunking of a stream of frames gives the same frames and the same junk count',
    (parts, points) => {
      const bytes = parts.flatMap(([before, body]) => [...before, ...frameOf(body)]);
      const whole = decodeAll([bytes]);
      const chunked = decodeAll(cut(bytes, points));
      const junkOf = (errors: readonly MllpFramingError[]) =>
        errors.reduce((sum, error) => sum + (error.kind === 'junk-outside-frame' ? error.bytes : 0), 0);
      expect(chunked.frames).toEqual(parts.map(([, body]) => body));
      expect(whole.frames).toEqual(chunked.frames);
      expect(junkOf(chunked.errors)).toBe(junkOf(whole.errors));
      expect(junkOf(whole.errors)).toBe(parts.reduce((sum, [before]) => sum + before.length, 0));
    },
  );

  propTest.prop([fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 10 }), fc.nat({ max: 64 })])(
    'any bytes, in any chunks: never buffers past the limit, and chunking never changes the frames',
    (raw, points, limit) => {
      const whole = decodeAll([[...raw]], limit);
      const chunked = decodeAll(cut([...raw], points), limit);
      expect(chunked.frames).toEqual(whole.frames);
      expect(chunked.largestPending).toBeLessThanOrEqual(limit);
      for (const frame of chunked.frames) expect(frame.length).toBeLessThanOrEqual(limit);
    },
  );
});

describe('encodeMllpFrame', () => {
  test('wraps a payload in VT … FS CR', () => {
    const framed = encodeMllpFrame(Uint8Array.from(ascii('MSH|')));
    expect(framed.ok && [...framed.value]).toEqual(frameOf(ascii('MSH|')));
  });

  test.each([
    { name: 'a VT', payload: [0x41, VT], offset: 1 },
    { name: 'an FS', payload: [FS], offset: 0 },
  ])('refuses a payload holding $name', ({ payload, offset }) => {
    expect(encodeMllpFrame(Uint8Array.from(payload))).toEqual({
      ok: false,
      error: { kind: 'framing-byte-in-payload', offset },
    });
  });

  propTest.prop([fc.array(payload, { maxLength: 4 })])('feedMllp reads back what it frames', (payloads) => {
    const frames = payloads.map((body) => encodeMllpFrame(Uint8Array.from(body)));
    const bytes = frames.flatMap((framed) => (framed.ok ? [...framed.value] : []));
    expect(decodeAll([bytes])).toMatchObject({ frames: payloads, errors: [] });
  });
});
