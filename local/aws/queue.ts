import { createHash, randomUUID } from 'node:crypto';

/** A message as the Lambda SQS event source delivers it. */
export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, never>;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

interface Stored {
  messageId: string;
  body: string;
  receives: number;
  sentAt: number;
}

/** How the consumer behaves: the event source mapping's settings, with time shortened. */
export interface QueueConsumerOptions {
  queueArn: string;
  batchSize: number;
  /** Milliseconds to gather a batch (the mapping's batching window, shortened for local runs). */
  batchWindowMs: number;
  /** Deliveries before a message goes to the dead-letter queue. */
  maxReceiveCount: number;
  /** Batches handled at once, as Lambda's pollers do. */
  concurrency: number;
  /** Milliseconds a failed message stays invisible before it is delivered again. */
  visibilityMs: number;
  /** The function: returns the ids of failed messages (`batchItemFailures`), or throws. */
  handle(records: SqsRecord[]): Promise<string[]>;
}

/**
 * An SQS standard queue with a Lambda event source mapping, in process: batches of up to
 * `batchSize` gathered for `batchWindowMs`, several batches in flight, partial batch failures
 * delivered again, and messages that keep failing moved to the dead-letter list.
 */
export class LocalQueue {
  private readonly ready: Stored[] = [];
  readonly deadLetters: { messageId: string; body: string; receives: number }[] = [];
  private inFlight = 0;
  private delayed = 0;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private idleWaiters: (() => void)[] = [];
  /** Batches handed to the function. */
  batches = 0;

  constructor(private readonly options: QueueConsumerOptions) {}

  send(body: string): void {
    this.ready.push({ messageId: randomUUID(), body, receives: 0, sentAt: Date.now() });
    this.schedule();
  }

  /** Resolves once nothing is queued, delayed or in flight. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** True when nothing is queued, delayed or in flight. */
  isIdle(): boolean {
    return this.ready.length === 0 && this.inFlight === 0 && this.delayed === 0;
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private schedule(): void {
    if (this.stopped || this.timer || this.ready.length === 0) return;
    const full = this.ready.length >= this.options.batchSize;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.poll();
      },
      full ? 0 : this.options.batchWindowMs,
    );
  }

  private poll(): void {
    while (!this.stopped && this.ready.length > 0 && this.inFlight < this.options.concurrency) {
      const batch = this.ready.splice(0, this.options.batchSize);
      this.inFlight += 1;
      this.batches += 1;
      void this.deliver(batch).finally(() => {
        this.inFlight -= 1;
        this.schedule();
        this.notifyIdle();
      });
    }
    this.schedule();
  }

  private async deliver(batch: Stored[]): Promise<void> {
    for (const m of batch) m.receives += 1;
    let failed: Set<string>;
    try {
      failed = new Set(await this.options.handle(batch.map((m) => this.record(m))));
    } catch {
      failed = new Set(batch.map((m) => m.messageId));
    }
    for (const m of batch) {
      if (!failed.has(m.messageId)) continue;
      if (m.receives >= this.options.maxReceiveCount) {
        this.deadLetters.push({ messageId: m.messageId, body: m.body, receives: m.receives });
        continue;
      }
      this.delayed += 1;
      setTimeout(() => {
        this.delayed -= 1;
        this.ready.push(m);
        this.schedule();
        this.notifyIdle();
      }, this.options.visibilityMs);
    }
  }

  private record(m: Stored): SqsRecord {
    return {
      messageId: m.messageId,
      receiptHandle: `${m.messageId}#${m.receives}`,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receives),
        SentTimestamp: String(m.sentAt),
        ApproximateFirstReceiveTimestamp: String(m.sentAt),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(m.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: this.options.queueArn,
      awsRegion: 'us-east-1',
    };
  }
}
