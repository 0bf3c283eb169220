/**
 * Incremental MLLP framing: `<VT>` payload `<FS><CR>`. Bytes arrive in arbitrary chunks and come
 * out as whole frames plus framing problems; memory is bounded by `maxFrameBytes`. Pure: state in,
 * state out, no I/O.
 */
import { err, ok, type Result } from '../../core/result.js';

export const START_BLOCK = 0x0b;
export const END_BLOCK = 0x1c;
export const CARRIAGE_RETURN = 0x0d;
export const DEFAULT_MAX_FRAME_BYTES = 1_048_576;

/**
 * - `junk-outside-frame`: bytes before a `<VT>` that belong to no frame, skipped (one report per run per chunk).
 * - `frame-too-large`: a payload grew past `maxFrameBytes`; reported once, its bytes are discarded up to its `<FS>`.
 * - `frame-restarted`: a `<VT>` inside a frame; the partial frame is discarded and a new one starts.
 * - `missing-cr-after-end-block`: `<FS>` not followed by `<CR>`; the frame was delivered at its `<FS>` all the same.
 * - `incomplete-frame`: the stream ended inside a frame (from `finishMllp`).
 */
export type MllpFramingError =
  | { readonly kind: 'junk-outside-frame'; readonly bytes: number }
  | { readonly kind: 'frame-too-large'; readonly maxFrameBytes: number }
  | { readonly kind: 'frame-restarted'; readonly discardedBytes: number }
  | { readonly kind: 'missing-cr-after-end-block' }
  | { readonly kind: 'incomplete-frame'; readonly bytes: number };

export type MllpDecoderState = {
  readonly maxFrameBytes: number;
  /** `discarding`: inside a frame that is already too large. */
  readonly mode: 'outside' | 'inside' | 'discarding';
  /** An `<FS>` was the last byte seen (its frame is already delivered); the next byte should be its `<CR>`. */
  readonly afterEndBlock: boolean;
  readonly pending: readonly Uint8Array[];
  readonly pendingBytes: number;
};

export type MllpFeed = {
  readonly state: MllpDecoderState;
  readonly frames: readonly Uint8Array[];
  readonly errors: readonly MllpFramingError[];
  /** Frames that reached their `<FS>` in this chunk, delivered or (too large) discarded; a restarted one does not count. */
  readonly completed: number;
};

/** A limit that is not a non-negative integer counts as 0, so every non-empty frame is refused rather than buffered. */
export function initialMllpState(maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES): MllpDecoderState {
  const limit = Number.isSafeInteger(maxFrameBytes) && maxFrameBytes >= 0 ? maxFrameBytes : 0;
  return { maxFrameBytes: limit, mode: 'outside', afterEndBlock: false, pending: [], pendingBytes: 0 };
}

function concat(pieces: readonly Uint8Array[], length: number): Uint8Array {
  const frame = new Uint8Array(length);
  let offset = 0;
  for (const piece of pieces) {
    frame.set(piece, offset);
    offset += piece.length;
  }
  return frame;
}

/** The index of the next `<VT>` or `<FS>` at or after `from`, else the chunk's length. */
function nextMarker(chunk: Uint8Array, from: number): number {
  for (let i = from; i < chunk.length; i++) if (chunk[i] === START_BLOCK || chunk[i] === END_BLOCK) return i;
  return chunk.length;
}

/**
 * Consumes one chunk. A frame split across chunks at any byte comes out the same as if it had
 * arrived whole. Payload bytes are copied, so the caller may reuse its chunk buffers.
 */
export function feedMllp(state: MllpDecoderState, chunk: Uint8Array): MllpFeed {
  const { maxFrameBytes } = state;
  let { mode, afterEndBlock, pendingBytes } = state;
  let pending = [...state.pending];
  const frames: Uint8Array[] = [];
  const errors: MllpFramingError[] = [];
  let completed = 0;
  let junk = 0;
  const reportJunk = (): void => {
    if (junk > 0) errors.push({ kind: 'junk-outside-frame', bytes: junk });
    junk = 0;
  };
  const startFrame = (): void => {
    mode = 'inside';
    pending = [];
    pendingBytes = 0;
  };

  let i = 0;
  while (i < chunk.length) {
    if (afterEndBlock) {
      // Tolerated: the frame ended at <FS>; a byte other than <CR> is read as if outside any frame.
      if (chunk[i] === CARRIAGE_RETURN) i++;
      else errors.push({ kind: 'missing-cr-after-end-block' });
      afterEndBlock = false;
      continue;
    }
    if (mode === 'outside') {
      const start = chunk.indexOf(START_BLOCK, i);
      junk += (start < 0 ? chunk.length : start) - i;
      if (start < 0) break;
      reportJunk();
      startFrame();
      i = start + 1;
      continue;
    }
    const marker = nextMarker(chunk, i);
    if (mode === 'inside' && pendingBytes + (marker - i) > maxFrameBytes) {
      errors.push({ kind: 'frame-too-large', maxFrameBytes });
      mode = 'discarding';
      pending = [];
      pendingBytes = 0;
    } else if (mode === 'inside' && marker > i) {
      pending.push(chunk.slice(i, marker));
      pendingBytes += marker - i;
    }
    if (marker === chunk.length) break;
    if (chunk[marker] === START_BLOCK) {
      if (mode === 'inside') errors.push({ kind: 'frame-restarted', discardedBytes: pendingBytes });
      startFrame();
    } else {
      // Delivered at <FS>, not at the <CR>: a sender that omits the <CR> must not wait for its ACK until it sends more.
      if (mode === 'inside') frames.push(concat(pending, pendingBytes));
      completed += 1;
      mode = 'outside';
      pending = [];
      pendingBytes = 0;
      afterEndBlock = true;
    }
    i = marker + 1;
  }
  reportJunk();
  return { state: { maxFrameBytes, mode, afterEndBlock, pending, pendingBytes }, frames, errors, completed };
}

/** The stream has ended: a frame without its `<FS>` is reported, and so is a last `<FS>` without its `<CR>`. */
export function finishMllp(state: MllpDecoderState): MllpFeed {
  const next = initialMllpState(state.maxFrameBytes);
  if (state.mode !== 'outside') {
    return { state: next, frames: [], errors: [{ kind: 'incomplete-frame', bytes: state.pendingBytes }], completed: 0 };
  }
  return {
    state: next,
    frames: [],
    errors: state.afterEndBlock ? [{ kind: 'missing-cr-after-end-block' }] : [],
    completed: 0,
  };
}

export type MllpEncodeError = { readonly kind: 'framing-byte-in-payload'; readonly offset: number };

/** Wraps one payload in `<VT>` … `<FS><CR>`; a payload holding `<VT>` or `<FS>` cannot be framed. */
export function encodeMllpFrame(payload: Uint8Array): Result<Uint8Array, MllpEncodeError> {
  const offset = payload.findIndex((byte) => byte === START_BLOCK || byte === END_BLOCK);
  if (offset >= 0) return err({ kind: 'framing-byte-in-payload', offset });
  const frame = new Uint8Array(payload.length + 3);
  frame[0] = START_BLOCK;
  frame.set(payload, 1);
  frame[payload.length + 1] = END_BLOCK;
  frame[payload.length + 2] = CARRIAGE_RETURN;
  return ok(frame);
}
