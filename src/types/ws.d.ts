/**
 * The part of `ws` (the WebSocket library under @fastify/websocket) that this project uses, typed here
 * instead of adding `@types/ws`: the stream holds server-side sockets, and the tests and the benchmark
 * connect real clients. @fastify/websocket's own declarations read `WebSocket.WebSocket`,
 * `WebSocket.Server` and `WebSocket.ServerOptions` from this module too.
 */
declare module 'ws' {
  import type { EventEmitter } from 'node:events';
  import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';

  type Data = Buffer | ArrayBuffer | Buffer[];

  /** Client options (`new WebSocket(url, options)`). */
  export interface ClientOptions {
    headers?: OutgoingHttpHeaders;
    /** Answer pings automatically (default true); false simulates a peer that stopped responding. */
    autoPong?: boolean;
    maxPayload?: number;
    handshakeTimeout?: number;
    perMessageDeflate?: boolean;
  }

  /** Server options (@fastify/websocket passes them to its `WebSocketServer`). */
  export interface ServerOptions {
    maxPayload?: number;
    perMessageDeflate?: boolean;
    clientTracking?: boolean;
    noServer?: boolean;
    /** An HTTP server to share (the inspector relay serves its page and its WebSocket on one port). */
    server?: import('node:http').Server;
  }

  export class WebSocket extends EventEmitter {
    static readonly CONNECTING: 0;
    static readonly OPEN: 1;
    static readonly CLOSING: 2;
    static readonly CLOSED: 3;
    readonly CONNECTING: 0;
    readonly OPEN: 1;
    readonly CLOSING: 2;
    readonly CLOSED: 3;
    constructor(address: string | URL, options?: ClientOptions);
    readonly readyState: 0 | 1 | 2 | 3;
    /** Bytes queued but not yet written to the network. */
    readonly bufferedAmount: number;
    send(data: string | Buffer, callback?: (error?: Error | null) => void): void;
    /** `binary: false` sends a Buffer as a text frame (it must hold UTF-8). */
    send(data: string | Buffer, options: { binary?: boolean }, callback?: (error?: Error | null) => void): void;
    ping(data?: string | Buffer): void;
    close(code?: number, reason?: string): void;
    terminate(): void;
    /** Stops reading from the network (a client that no longer keeps up). */
    pause(): void;
    resume(): void;
    on(event: 'message', listener: (data: Data, isBinary: boolean) => void): this;
    on(event: 'close', listener: (code: number, reason: Buffer) => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    on(event: 'open' | 'ping' | 'pong', listener: (...args: unknown[]) => void): this;
    on(event: 'unexpected-response', listener: (request: unknown, response: IncomingMessage) => void): this;
    on(event: string, listener: (...args: never[]) => void): this;
    once(event: 'open', listener: () => void): this;
    once(event: 'close', listener: (code: number, reason: Buffer) => void): this;
    once(event: 'error', listener: (error: Error) => void): this;
    once(event: 'unexpected-response', listener: (request: unknown, response: IncomingMessage) => void): this;
    once(event: string, listener: (...args: never[]) => void): this;
  }

  export class WebSocketServer extends EventEmitter {
    constructor(options: ServerOptions);
    readonly clients: Set<WebSocket>;
    close(callback?: () => void): void;
    on(event: 'connection', listener: (socket: WebSocket) => void): this;
    on(event: string, listener: (...args: never[]) => void): this;
  }

  export { WebSocketServer as Server };
  export default WebSocket;
}
