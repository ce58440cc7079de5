/** One Server-Sent Event as the api sends it: id = event seq (metrics: row id), event = type, data = the row's JSON. */
export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
}

/**
 * An incremental text/event-stream parser (WHATWG rules: lines end with CR, LF or CRLF; a blank line dispatches;
 * comment lines start with ':'; multi-line data joined with LF). Feed it chunks as they arrive.
 */
export class SseParser {
  private buffer = '';
  private id: string | null = null;
  private event = '';
  private data: string[] = [];
  private sawCr = false;

  constructor(private readonly onMessage: (m: SseMessage) => void) {}

  push(chunk: string): void {
    let text = chunk;
    if (this.sawCr && text.startsWith('\n')) text = text.slice(1);
    this.sawCr = false;
    this.buffer += text;
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer[i];
      if (c === '\n' || c === '\r') {
        this.line(this.buffer.slice(start, i));
        if (c === '\r') {
          if (i + 1 === this.buffer.length) this.sawCr = true;
          else if (this.buffer[i + 1] === '\n') i++;
        }
        start = i + 1;
      }
    }
    this.buffer = this.buffer.slice(start);
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) {
        this.onMessage({ id: this.id, event: this.event || 'message', data: this.data.join('\n') });
      }
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
  }
}
