package dev.flashline.stream;

import dev.flashline.schema.DeadLetter;
import dev.flashline.schema.Document;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Decodes each message into a document, or a dead letter for a poison message, and enters it where
 * its progress is kept: in this JVM's {@link OffsetLedger} when the worker that reads a message
 * also writes its results ({@link StreamRequest#offsetsTrackedWhereRead}); otherwise as elements
 * for the keyed steps that do the same across workers ({@link #SOURCES} for {@link AttachSourceFn},
 * {@link #READS} for {@link CommitOffsetsFn}).
 */
final class DecodeMessagesFn extends DoFn<KafkaRecord<String, byte[]>, Document> {
  static final TupleTag<Document> DOCUMENTS = new TupleTag<>() {};
  static final TupleTag<OutgoingMessage> DEAD_LETTERS = new TupleTag<>() {};
  /** Untracked runs only: each document's message, under its record id. */
  static final TupleTag<KV<String, SourceOrRow>> SOURCES = new TupleTag<>() {};
  /** Untracked runs only: every message read, under its partition, in the order read. */
  static final TupleTag<KV<String, OffsetEvent>> READS = new TupleTag<>() {};

  private final StreamRequest request;
  private final MessageDecoder decoder;
  private final String runId;
  /** Result rows per message: one per task of the job. */
  private final int tasks;
  private final boolean tracked;
  private transient OffsetLedger ledger;

  DecodeMessagesFn(StreamRequest request, String runId) {
    this.tasks = request.job().taskJobs().size();
    this.tracked = request.offsetsTrackedWhereRead();
    this.request = request;
    this.decoder = new MessageDecoder(
        request.job(), request.format(), request.maxMessageBytes(), request.deferral() == null ? null : request.deferral().field());
    this.runId = runId;
  }

  @Setup
  public void setup() {
    ledger = OffsetLedger.of(runId);
  }

  @ProcessElement
  public void process(@Element KafkaRecord<String, byte[]> message, MultiOutputReceiver out) {
    KafkaPosition position = new KafkaPosition(message.getTopic(), message.getPartition(), message.getOffset());
    byte[] value = message.getKV().getValue();
    MessageDecoder.Decoded decoded = decoder.decode(position, message.getKV().getKey(), value);
    if (!tracked) {
      out.get(READS).output(KV.of(OffsetEvent.partitionKey(position), OffsetEvent.read(position.offset())));
    }
    if (decoded.document() != null) {
      if (tracked) {
        ledger.read(position, decoded.document().getId(), value, tasks);
      } else {
        out.get(SOURCES).output(KV.of(decoded.document().getId(), SourceOrRow.message(position, value, tasks)));
      }
      out.get(DOCUMENTS).output(decoded.document());
      return;
    }
    if (tracked) {
      ledger.read(position, null, null);
    }
    DeadLetter letter =
        DeadLetter.newBuilder()
            .setJob(request.job().name())
            .setSource(position.topic())
            .setLocation("partition " + position.partition() + " offset " + position.offset())
            .setRecordId(decoded.recordId())
            .setReason(decoded.error())
            .setPayload(decoded.payload())
            .build();
    String key = decoded.recordId() != null ? decoded.recordId() : position.topic() + "/" + position.partition() + "@" + position.offset();
    out.get(DEAD_LETTERS).output(new OutgoingMessage(request.deadLetterTopic(), key, request.format().encode(letter), position));
  }
}
