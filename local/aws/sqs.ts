import { type HttpReply, HttpService, type JsonReply, LocalJsonService } from './json-service';

/** Messages a local queue holds, by queue URL; undefined for a queue the runtime does not know. */
export type QueueDepth = (queueUrl: string) => number | undefined;

/**
 * A loopback stand-in for the one SQS call an operator's tools make of the dead-letter queue,
 * `GetQueueAttributes` (`ApproximateNumberOfMessages…`), so the real AWS SDK reaches it through
 * `AWS_ENDPOINT_URL_SQS`. The messages are those the local runtime dead-lettered.
 */
export class LocalSqs extends LocalJsonService {
  constructor(private readonly depth: QueueDepth) {
    super('application/x-amz-json-1.0');
  }

  protected operate(operation: string, input: { QueueUrl?: unknown }): JsonReply {
    if (operation !== 'GetQueueAttributes') {
      return { status: 400, body: { __type: 'InvalidAction', message: `${operation} is not emulated` } };
    }
    const messages = this.depth(String(input.QueueUrl ?? ''));
    if (messages === undefined) {
      return {
        status: 400,
        body: {
          __type: 'com.amazonaws.sqs#QueueDoesNotExist',
          message: 'The specified queue does not exist.',
        },
      };
    }
    return {
      status: 200,
      body: {
        Attributes: {
          ApproximateNumberOfMessages: String(messages),
          ApproximateNumberOfMessagesNotVisible: '0',
          ApproximateNumberOfMessagesDelayed: '0',
        },
      },
    };
  }
}

/**
 * Answers every request with 501 and says the local runtime has no stand-in for the service, so
 * tools pointed at the runtime (`AWS_ENDPOINT_URL`) learn at once that a service is not there
 * instead of reaching AWS.
 */
export class LocalUnsupportedService extends HttpService {
  protected respond(): HttpReply {
    const message = 'the local runtime has no stand-in for this service';
    return {
      status: 501,
      contentType: 'application/json',
      text: JSON.stringify({ __type: 'NotImplemented', message }),
    };
  }
}
