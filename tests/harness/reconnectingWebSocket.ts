import { WebSocket } from "ws";

export interface Closed {
  code: number;
  at: number;
}

/**
 * A WebSocket client that reconnects at once whenever it is closed (to `url()` at that moment, so a
 * test can move it to another entry point); records each close and each (re)open.
 */
export function reconnectingClient(url: string | (() => string)) {
  const target = typeof url === "string" ? () => url : url;
  const closes: Closed[] = [];
  const opens: number[] = [];
  let current: WebSocket | undefined;
  let stopped = false;
  const connect = () => {
    if (stopped) return;
    const ws = new WebSocket(target());
    current = ws;
    ws.once("open", () => opens.push(Date.now()));
    ws.once("close", (code) => {
      closes.push({ code, at: Date.now() });
      setImmediate(connect);
    });
    ws.on("error", () => undefined);
  };
  connect();
  return {
    closes,
    opens,
    get open() {
      return current?.readyState === WebSocket.OPEN;
    },
    /** The URL the open socket is connected to. */
    get url() {
      return current?.url;
    },
    stop() {
      stopped = true;
      current?.terminate();
    },
  };
}
