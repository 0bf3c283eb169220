/**
 * The MLLP listener: TCP framing only. Each connection's frames are handled one after
 * another (a sender's ACKs come back in its message order); oversized frames are answered
 * without being buffered; idle and slow (slowloris) connections are closed; shutdown stops
 * accepting, lets every in-flight message finish and be answered, then closes. Connections
 * are capped in all and per peer (remote address): a connection over either cap is closed at
 * once, before anything is read, and the refusal is logged at most once a minute per peer.
 * With `tls`, the port serves MLLP over TLS (client certificates required when a CA is given)
 * and `plain`, when set, adds a plain listener (the caller binds it to loopback); both share the
 * connection accounting, framing, caps and timeouts. I/O.
 */
import { type AddressInfo, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Logger } from '../../platform/logger.js';
import { encodeMllpFrame, feedMllp, finishMllp, initialMllpState, type MllpDecoderState } from './mllpFrameDecoder.js';
import { createPeerConnectionCap, createRefusalLog, peerOf } from './peerConnectionCap.js';

export type MllpConnectionInfo = {
  /** `address:port`, for logs. */
  readonly remoteAddress: string;
  /** The address alone (`peerOf`): what the per-peer cap and the sender allow-list see. */
  readonly peer: string;
  readonly transport: 'tls' | 'plain';
  /** The client certificate's subject, when the CA verified one. */
  readonly certificateSubject: Readonly<Record<string, string | readonly string[]>> | undefined;
};

/** PEM material of the TLS listener. */
export type MllpTlsMaterial = { readonly cert: Buffer; readonly key: Buffer; readonly ca: Buffer | undefined };

export type MllpHandlers = {
  /** Handles one complete message and returns the ACK to send (unframed bytes). */
  readonly onMessage: (frame: Uint8Array, connection: MllpConnectionInfo) => Promise<Uint8Array>;
  /** The answer to a frame that exceeded the maximum size (its bytes were discarded). */
  readonly onOversized: (connection: MllpConnectionInfo, maxFrameBytes: number) => Uint8Array;
};

export type MllpServerOptions = {
  readonly host: string;
  readonly port: number;
  readonly maxFrameBytes: number;
  /** Close a connection that sends nothing for this long. */
  readonly idleTimeoutMs: number;
  /** Close a connection whose current frame has not completed in this long (slowloris). */
  readonly frameTimeoutMs: number;
  /** Connections open at once from all peers; more are closed as they arrive. */
  readonly maxConnections: number;
  /** Connections open at once from one remote address; more are closed as they arrive, other peers are unaffected. */
  readonly maxConnectionsPerPeer: number;
  /** How long shutdown waits for in-flight messages before closing connections anyway. */
  readonly shutdownGraceMs: number;
  /** Serve `host:port` over TLS; with `ca`, only clients presenting a certificate it signed. */
  readonly tls?: MllpTlsMaterial | undefined;
  /** A second, plain listener beside TLS. */
  readonly plain?: { readonly host: string; readonly port: number } | undefined;
};

export type MllpServer = {
  /** Starts every listener; the address of the main one (`host:port`). */
  listen(): Promise<AddressInfo>;
  /** The plain listener beside TLS, once listening. */
  readonly plainAddress: () => AddressInfo | undefined;
  close(): Promise<void>;
  readonly connections: () => number;
  /** Open connections counted against the peer at this address. */
  readonly connectionsFrom: (remoteAddress: string) => number;
  readonly listening: () => boolean;
};

/** One line per peer (or for the global cap) per minute at most; the next line counts the refusals in between. */
const REFUSAL_LOG_INTERVAL_MS = 60_000;

type Connection = {
  readonly socket: Socket;
  readonly peer: string;
  readonly info: MllpConnectionInfo;
  state: MllpDecoderState;
  queue: Promise<void>;
  inFlight: number;
  frameStartedAt: number | undefined;
};

export function createMllpServer(options: MllpServerOptions, handlers: MllpHandlers, logger: Logger): MllpServer {
  const log = logger.child({ module: 'mllp' });
  const open = new Set<Connection>();
  const perPeer = createPeerConnectionCap(options.maxConnectionsPerPeer);
  const refusals = createRefusalLog(REFUSAL_LOG_INTERVAL_MS);
  const failedHandshakes = createRefusalLog(REFUSAL_LOG_INTERVAL_MS);
  let closing = false;

  // The peer's address only: no port, nothing the sender sent (nothing has been read).
  const logRefusal = (cap: 'per-peer' | 'global', peer: string) => {
    const note = refusals.note(cap === 'global' ? 'global' : peer, Date.now());
    if (!note.log) return;
    const limit = cap === 'global' ? options.maxConnections : options.maxConnectionsPerPeer;
    log.warn(
      { peer, cap, limit, refusedSinceLastLine: note.unlogged },
      cap === 'global'
        ? 'MLLP listener at its connection cap; connection refused'
        : 'MLLP peer at its connection cap; connection refused',
    );
  };

  const write = (connection: Connection, payload: Uint8Array) => {
    const framed = encodeMllpFrame(payload);
    if (!framed.ok) {
      log.error({ offset: framed.error.offset }, 'an ACK contained a framing byte and was not sent');
      return;
    }
    if (!connection.socket.destroyed) connection.socket.write(framed.value);
  };

  const enqueue = (connection: Connection, work: () => Promise<void>) => {
    connection.inFlight += 1;
    connection.queue = connection.queue
      .then(work)
      .catch((error: unknown) =>
        log.error({ err: error, remote: connection.info.remoteAddress }, 'MLLP message handling failed'),
      )
      .finally(() => {
        connection.inFlight -= 1;
        if (closing && connection.inFlight === 0) connection.socket.end();
      });
  };

  const accept = (socket: Socket, transport: 'tls' | 'plain') => {
    if (closing) {
      socket.destroy();
      return;
    }
    const peer = peerOf(socket.remoteAddress);
    if (!perPeer.admit(peer)) {
      logRefusal('per-peer', peer);
      socket.destroy();
      return;
    }
    const connection: Connection = {
      socket,
      peer,
      info: {
        remoteAddress: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
        peer,
        transport,
        certificateSubject: transport === 'tls' ? verifiedSubject(socket as TLSSocket) : undefined,
      },
      state: initialMllpState(options.maxFrameBytes),
      queue: Promise.resolve(),
      inFlight: 0,
      frameStartedAt: undefined,
    };
    open.add(connection);
    socket.setNoDelay(true);
    socket.setTimeout(options.idleTimeoutMs);
    socket.on('timeout', () => {
      // Quiet while we work on its messages is not idle: the ACK would be lost.
      if (connection.inFlight > 0) return;
      log.info({ remote: connection.info.remoteAddress }, 'MLLP connection idle; closed');
      socket.end();
    });
    socket.on('data', (chunk: Buffer) => {
      const fed = feedMllp(connection.state, chunk);
      connection.state = fed.state;
      for (const error of fed.errors) {
        if (error.kind === 'frame-too-large') {
          log.warn(
            { remote: connection.info.remoteAddress, maxFrameBytes: error.maxFrameBytes },
            'MLLP frame too large; refused',
          );
          enqueue(connection, async () =>
            write(connection, handlers.onOversized(connection.info, error.maxFrameBytes)),
          );
        } else {
          log.warn({ remote: connection.info.remoteAddress, framing: error.kind }, 'MLLP framing problem');
        }
      }
      for (const frame of fed.frames) {
        enqueue(connection, async () => write(connection, await handlers.onMessage(frame, connection.info)));
      }
      // The slow-frame clock restarts whenever a frame is completed: a sender streaming frames back to back, with
      // a frame open after every chunk, is not slow. A <VT> restart does not restart it, or a slow sender could
      // hold the connection by trickling <VT>s.
      const now = Date.now();
      if (connection.state.mode === 'outside') connection.frameStartedAt = undefined;
      else if (fed.completed > 0 || connection.frameStartedAt === undefined) connection.frameStartedAt = now;
      if (connection.frameStartedAt !== undefined && now - connection.frameStartedAt > options.frameTimeoutMs) {
        log.warn({ remote: connection.info.remoteAddress }, 'MLLP frame not completed in time; connection closed');
        socket.destroy();
      }
    });
    socket.on('end', () => {
      const fed = finishMllp(connection.state);
      for (const frame of fed.frames) {
        enqueue(connection, async () => write(connection, await handlers.onMessage(frame, connection.info)));
      }
      enqueue(connection, async () => {
        socket.end();
      });
    });
    socket.on('error', (error) =>
      log.debug({ err: error, remote: connection.info.remoteAddress }, 'MLLP socket error'),
    );
    socket.on('close', () => {
      open.delete(connection);
      perPeer.release(peer);
    });
  };

  // Half-open: a sender may end its side right after its last frame and still read the ACKs; the 'end' handler
  // closes our side once they are written.
  const tls = options.tls;
  const main: Server =
    tls === undefined
      ? createNetServer({ allowHalfOpen: true }, (socket) => accept(socket, 'plain'))
      : createTlsServer(
          {
            allowHalfOpen: true,
            cert: tls.cert,
            key: tls.key,
            ...(tls.ca === undefined ? {} : { ca: tls.ca, requestCert: true, rejectUnauthorized: true }),
            handshakeTimeout: options.frameTimeoutMs,
            minVersion: 'TLSv1.2',
          },
          (socket) => accept(socket, 'tls'),
        ).on('tlsClientError', (error, socket) => {
          // A failed handshake (no or an unknown client certificate, a plain client on the TLS port): no message, no ACK.
          const peer = peerOf(socket.remoteAddress);
          const note = failedHandshakes.note(peer, Date.now());
          if (note.log) {
            log.warn(
              { peer, reason: error.message, refusedSinceLastLine: note.unlogged },
              'MLLP TLS handshake failed; connection closed',
            );
          }
        });
  const plain =
    options.plain === undefined
      ? undefined
      : createNetServer({ allowHalfOpen: true }, (socket) => accept(socket, 'plain'));
  const servers = plain === undefined ? [main] : [main, plain];
  for (const server of servers) {
    server.maxConnections = options.maxConnections;
    server.on('drop', (dropped) => logRefusal('global', peerOf(dropped?.remoteAddress)));
  }

  // A slow sender that keeps a frame open by trickling bytes never trips the idle timer.
  const slowFrameSweep = setInterval(
    () => {
      const now = Date.now();
      for (const { key, unlogged } of refusals.prune(now)) {
        // `key` is a peer's address, or 'global' for the listener's own cap.
        log.warn({ refusedFor: key, refusedSinceLastLine: unlogged }, 'MLLP connections refused at a connection cap');
      }
      for (const { key, unlogged } of failedHandshakes.prune(now)) {
        log.warn({ peer: key, refusedSinceLastLine: unlogged }, 'MLLP TLS handshakes failed');
      }
      for (const connection of open) {
        if (connection.frameStartedAt !== undefined && now - connection.frameStartedAt > options.frameTimeoutMs) {
          log.warn({ remote: connection.info.remoteAddress }, 'MLLP frame not completed in time; connection closed');
          connection.socket.destroy();
        }
      }
    },
    Math.min(1000, options.frameTimeoutMs),
  );
  slowFrameSweep.unref();

  const listenOn = (server: Server, host: string, port: number) =>
    new Promise<AddressInfo>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port }, () => {
        server.off('error', reject);
        resolve(server.address() as AddressInfo);
      });
    });

  return {
    async listen() {
      const address = await listenOn(main, options.host, options.port);
      if (plain !== undefined && options.plain !== undefined) {
        await listenOn(plain, options.plain.host, options.plain.port);
      }
      return address;
    },
    plainAddress: () => (plain?.listening === true ? (plain.address() as AddressInfo) : undefined),
    async close() {
      closing = true;
      clearInterval(slowFrameSweep);
      const stopped = Promise.all(
        servers.map((server) =>
          server.listening ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve(),
        ),
      );
      for (const connection of open) {
        // Messages already read are finished and answered; anything sent after this point
        // is not read, gets no ACK, and the sender resends it to the next instance.
        connection.socket.pause();
        if (connection.inFlight === 0) connection.socket.end();
      }
      const deadline = setTimeout(() => {
        for (const connection of open) connection.socket.destroy();
      }, options.shutdownGraceMs);
      await Promise.all([...open].map((c) => c.queue));
      await stopped;
      clearTimeout(deadline);
    },
    connections: () => open.size,
    connectionsFrom: (remoteAddress) => perPeer.openFrom(peerOf(remoteAddress)),
    listening: () => main.listening,
  };
}

/** The subject of a client certificate the CA verified; undefined without one (or unverified). */
function verifiedSubject(socket: TLSSocket): MllpConnectionInfo['certificateSubject'] {
  if (!socket.authorized) return undefined;
  const certificate = socket.getPeerCertificate();
  // An empty object when the client sent none.
  if (certificate.subject === undefined || Object.keys(certificate).length === 0) return undefined;
  const subject: Record<string, string | readonly string[]> = {};
  for (const [key, value] of Object.entries(certificate.subject)) if (value !== undefined) subject[key] = value;
  return subject;
}
