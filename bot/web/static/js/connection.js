// The socket.io link to the dialogue engine. On every (re)connect it asks
// for the saved session id, so a reload or a dropped line continues the same
// conversation. Messages sent before the session is confirmed wait in an
// outbox and go out, in order, once it is.

export class ChatConnection {
  /**
   * url: origin of the dialogue engine's socket.io channel.
   * handlers: sessionId() -> saved id or null; onSession(id); onBotMessage(message);
   * onStatus("connecting" | "ready" | "lost").
   */
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.socket = null;
    this.ready = false;
    this.outbox = [];
  }

  connect() {
    const socket = window.io(this.url, {
      path: "/socket.io/",
      transports: ["websocket", "polling"],
    });
    socket.on("connect", () => this.requestSession(socket));
    socket.on("session_confirm", (data) => this.confirmSession(data));
    socket.on("bot_uttered", (message) => this.handlers.onBotMessage(message));
    socket.on("disconnect", (reason) => this.lost(socket, reason));
    socket.on("connect_error", () => this.lost(socket, "connect_error"));
    this.socket = socket;
    this.handlers.onStatus("connecting");
  }

  /** Drop the socket and its session; the next connect asks for a new session. */
  restart() {
    this.outbox = [];
    this.ready = false;
    if (this.socket) {
      this.socket.removeAllListeners();
      this.socket.close();
    }
    this.connect();
  }

  /** Send one user message now, or as soon as the session is confirmed. */
  send(message, metadata) {
    this.outbox.push({ message, metadata });
    if (this.ready) this.flush();
  }

  requestSession(socket) {
    this.ready = false;
    socket.emit("session_request", { session_id: this.handlers.sessionId() });
  }

  confirmSession(data) {
    const sessionId = typeof data === "string" ? data : data && data.session_id;
    if (!sessionId) {
      console.warn("session_confirm without a session id");
      return;
    }
    this.handlers.onSession(sessionId);
    this.ready = true;
    this.handlers.onStatus("ready");
    this.flush();
  }

  flush() {
    const sessionId = this.handlers.sessionId();
    while (this.outbox.length > 0 && this.socket.connected) {
      const { message, metadata } = this.outbox.shift();
      this.socket.emit("user_uttered", { message, session_id: sessionId, metadata });
    }
  }

  lost(socket, reason) {
    this.ready = false;
    this.handlers.onStatus("lost");
    // The client retries by itself except when the server closed the socket.
    if (reason === "io server disconnect") socket.connect();
  }
}
