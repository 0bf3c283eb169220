/**
 * Traces a Kafka write: a producer span `publish <topic role>` around it (a child of the
 * message's span: the MLLP receipt, the HTTP request), and that span's W3C trace context added
 * to each record's headers (`traceparent`, `tracestate`), so the consumers' spans join the
 * same trace. The headers are additive: a consumer that does not know them reads the records
 * as before. Tracing off: the write goes as it is, without trace headers. I/O through `write`.
 */
import { context, SpanKind } from '@opentelemetry/api';
import { traceHeadersOf } from '../../platform/traceHeaders.js';
import { inSpan, tracingEnabled } from '../../platform/tracing.js';
import { recordHeaders, type TopicNames, type TopicRole } from '../../schemas/topics.js';

type Outgoing = { readonly headers?: Record<string, string> };

/** The role of a topic of these names (`canonical`, `raw` …); the topic itself when it is none of them. */
export function topicRoleOf(topics: TopicNames, topic: string): TopicRole | string {
  return (Object.entries(topics) as [TopicRole, string][]).find(([, name]) => name === topic)?.[0] ?? topic;
}

/** The records with the trace headers added (a record's own headers are kept; trace headers replace older ones). */
export function withTraceHeaders<M extends Outgoing>(messages: readonly M[], trace: Record<string, string>): M[] {
  return messages.map((message) => ({ ...message, headers: { ...message.headers, ...trace } }));
}

export function tracePublish<M extends Outgoing>(
  topics: TopicNames,
  topic: string,
  messages: readonly M[],
  write: (messages: readonly M[]) => Promise<void>,
): Promise<void> {
  if (!tracingEnabled()) return write(messages);
  const role = topicRoleOf(topics, topic);
  const correlationId = messages[0]?.headers?.[recordHeaders.correlationId];
  return inSpan(
    `publish ${role}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': topic,
        'messaging.batch.message_count': messages.length,
        'cel.topic_role': role,
        ...(correlationId === undefined ? {} : { 'cel.correlation_id': correlationId }),
      },
    },
    context.active(),
    // Inside the span: the headers carry the publish span as the records' parent.
    () => write(withTraceHeaders(messages, traceHeadersOf(context.active()))),
  );
}
