import { readFile } from "node:fs/promises";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { type AddressInfo, createServer as createNetServer, type Socket } from "node:net";
import { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import { type Logger, pino } from "pino";
import { answerAwsRequest } from "./aws/aws-router.js";
import { createAzureRouter } from "./azure/azure-router.js";
import { loadEstate } from "./estate.js";
import { FaultInjector, RequestCounter } from "./faults.js";
import { type EstateSettings, loadSettings } from "./settings.js";
import { type WireResponse, writeResponse } from "./wire.js";

/** How to start the emulator. */
export interface EmulatorOptions {
  /** Folder holding estate.yaml (optional), azure/**.json, aws/**.json. */
  estateDir: string;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Where logs go; default: no logs. */
  logger?: Logger;
  /** Settings that replace estate.yaml's, top-level key by top-level key. */
  settings?: EstateSettings;
}

/** A started emulator. */
export interface RunningEmulator {
  /** http://127.0.0.1:PORT — AWS JSON 1.1 endpoint (plain http). */
  awsEndpoint: string;
  /** https://127.0.0.1:PORT — Azure endpoint (self-signed cert). */
  azureEndpoint: string;
  /** PEM of the certificate the Azure endpoint presents; pass as tlsOptions.ca. */
  caCertificate: string;
  /** Accounts served: Azure subscription ids and AWS account ids, from documents and estate.yaml. */
  accounts: { azure: string[]; aws: string[] };
  /** Requests served so far per operation name, for tests and benchmarks. */
  requestCounts(): Record<string, number>;
  close(): Promise<void>;
}

/** The first byte of a TLS connection: a handshake record. */
const tlsHandshakeByte = 0x16;

/** Absolute path of the committed certificate the Azure endpoint presents. */
export const caCertificatePath = fileURLToPath(new URL("../certs/cert.pem", import.meta.url));
const privateKeyPath = fileURLToPath(new URL("../certs/key.pem", import.meta.url));

/**
 * Loads the estate and serves it on one loopback port: connections that open with a TLS
 * handshake are Azure (https), all others AWS (plain http).
 */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const logger = options.logger ?? pino({ level: "silent" });
  const settings = await loadSettings(options.estateDir, options.settings);
  const estate = await loadEstate(options.estateDir, settings, logger);
  const [certificate, privateKey] = await Promise.all([
    readFile(caCertificatePath, "utf8"),
    readFile(privateKeyPath, "utf8"),
  ]);

  const counter = new RequestCounter();
  const faults = new FaultInjector(settings.faults);
  const routerOptions = { estate, settings, faults, counter, logger };
  const answerAzureRequest = createAzureRouter(routerOptions);

  const serve =
    (answer: (request: IncomingMessage) => Promise<WireResponse>) =>
    (request: IncomingMessage, response: ServerResponse): void => {
      const startedAt = performance.now();
      answer(request)
        .then(async (answered) => {
          await writeResponse(response, answered, settings.latencyMs);
          logger.debug(
            {
              method: request.method,
              url: request.url,
              status: answered.status,
              durationMs: Math.round(performance.now() - startedAt),
            },
            "request served",
          );
        })
        .catch((error: unknown) => {
          logger.error({ err: error, url: request.url }, "request failed unexpectedly");
          if (!response.headersSent) response.writeHead(500);
          response.end();
        });
    };

  const httpServer = createHttpServer(serve((request) => answerAwsRequest(request, routerOptions)));
  const httpsServer = createHttpsServer(
    { cert: certificate, key: privateKey },
    serve(answerAzureRequest),
  );

  const sockets = new Set<Socket>();
  const listener = createNetServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.once("data", (chunk: Buffer) => {
      socket.pause();
      if (chunk[0] === tlsHandshakeByte) {
        httpsServer.emit("connection", replayFirstChunk(socket, chunk));
      } else {
        socket.unshift(chunk);
        httpServer.emit("connection", socket);
        socket.resume();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen(options.port ?? 0, "127.0.0.1", () => {
      listener.off("error", reject);
      resolve();
    });
  });
  const { port } = listener.address() as AddressInfo;
  logger.info({ port, estateDir: options.estateDir }, "emulator listening");

  return {
    awsEndpoint: `http://127.0.0.1:${port}`,
    azureEndpoint: `https://127.0.0.1:${port}`,
    caCertificate: certificate,
    accounts: { azure: [...estate.azure.subscriptions], aws: [...estate.aws.accounts] },
    requestCounts: () => counter.snapshot(),
    close: async () => {
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      httpServer.close();
      httpsServer.close();
      await closed;
      logger.info({ port }, "emulator stopped");
    },
  };
}

/**
 * A stream that yields `first` and then whatever the socket receives. TLS takes over a plain
 * socket's native handle and would never see bytes unshifted into the JavaScript buffer, so the
 * https server gets this stream instead of the socket.
 */
function replayFirstChunk(socket: Socket, first: Buffer): Duplex {
  const stream = new Duplex({
    read: () => {
      socket.resume();
    },
    write: (data: Buffer, _encoding, callback) => {
      socket.write(data, callback);
    },
    final: (callback) => {
      socket.end(callback);
    },
    destroy: (error, callback) => {
      socket.destroy(error ?? undefined);
      callback(error);
    },
  });
  stream.push(first);
  socket.on("data", (data: Buffer) => {
    if (!stream.push(data)) socket.pause();
  });
  socket.on("end", () => stream.push(null));
  socket.on("error", (error) => stream.destroy(error));
  socket.on("close", () => stream.destroy());
  return stream;
}
