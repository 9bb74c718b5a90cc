package dev.flashline.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Instant;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Publishes results and dead letters, then, once the broker has acknowledged a bundle's
 * messages, marks their inputs finished: in this JVM's ledger, committing what it says is safe,
 * or (when records move between workers) as {@link OffsetEvent}s for {@link CommitOffsetsFn}.
 * Either way a result is always written before its input's offset is committed.
 */
final class PublishFn extends DoFn<OutgoingMessage, KV<String, OffsetEvent>> {
  private final StreamRequest request;
  private final String runId;
  private final boolean tracked;
  private transient KafkaClients clients;
  private transient OffsetLedger ledger;
  private transient List<Future<RecordMetadata>> sent;
  private transient List<KafkaPosition> finishing;

  PublishFn(StreamRequest request, String runId) {
    this.request = request;
    this.runId = runId;
    this.tracked = request.offsetsTrackedWhereRead();
  }

  @Setup
  public void setup() {
    clients = KafkaClients.acquire(runId, request.kafka());
    ledger = OffsetLedger.of(runId);
  }

  @StartBundle
  public void startBundle() {
    sent = new ArrayList<>();
    finishing = new ArrayList<>();
  }

  @ProcessElement
  public void process(@Element OutgoingMessage message) {
    sent.add(clients.producer().send(new ProducerRecord<>(message.topic(), message.key(), message.value())));
    if (message.finishes() != null) {
      finishing.add(message.finishes());
    }
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) throws InterruptedException {
    clients.producer().flush();
    for (Future<RecordMetadata> future : sent) {
      try {
        future.get();
      } catch (ExecutionException e) {
        // The bundle fails and is retried; its inputs stay pending, so their offsets are not committed.
        throw new IllegalStateException("cannot publish to Kafka: " + e.getCause(), e.getCause());
      }
    }
    if (tracked) {
      finishing.forEach(ledger::done);
      clients.commit(ledger.committable(), false);
    } else {
      Instant now = Instant.now();
      for (KafkaPosition position : finishing) {
        context.output(KV.of(OffsetEvent.partitionKey(position), OffsetEvent.done(position.offset())), now, GlobalWindow.INSTANCE);
      }
    }
    sent.clear();
    finishing.clear();
  }

  @Teardown
  public void teardown() {
    if (clients != null) {
      try {
        if (tracked) {
          clients.commit(ledger.committable(), true);
        }
      } catch (RuntimeException e) {
        // The offsets stay where they were: the messages after them are read again on restart.
      }
      KafkaClients.release(runId, clients);
      clients = null;
    }
  }
}
