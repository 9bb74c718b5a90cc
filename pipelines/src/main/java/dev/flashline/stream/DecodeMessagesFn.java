package dev.flashline.stream;

import dev.flashline.schema.DeadLetter;
import dev.flashline.schema.Document;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Decodes each message into a document, or a dead letter for a poison message, and enters it in
 * the run's {@link OffsetLedger} when that ledger sees the record through to its result ({@link
 * StreamRequest#offsetsTrackedWhereRead}).
 */
final class DecodeMessagesFn extends DoFn<KafkaRecord<String, byte[]>, Document> {
  static final TupleTag<Document> DOCUMENTS = new TupleTag<>() {};
  static final TupleTag<OutgoingMessage> DEAD_LETTERS = new TupleTag<>() {};

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
    if (decoded.document() != null) {
      if (tracked) {
        ledger.read(position, decoded.document().getId(), value, tasks);
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
    // Untracked, a finished position would let this JVM commit past records still in flight elsewhere.
    out.get(DEAD_LETTERS).output(new OutgoingMessage(request.deadLetterTopic(), key, request.format().encode(letter), tracked ? position : null));
  }
}
