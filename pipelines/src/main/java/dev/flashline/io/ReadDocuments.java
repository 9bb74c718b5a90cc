package dev.flashline.io;

import dev.flashline.schema.DeadLetter;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.task.JobSpec;
import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Reads the job's input files (Parquet, JSONL, CSV) into documents, plus a failed row and a dead
 * letter for every record that cannot be one. Documents are spread over the workers afterwards,
 * since one large file is read by one worker.
 */
public final class ReadDocuments extends PTransform<PBegin, PCollectionTuple> {
  public static final TupleTag<Document> DOCUMENTS = new TupleTag<>() {};
  public static final TupleTag<LabelledRecord> FAILED = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};

  /** Spread keys per worker: enough that hashing them onto workers stays balanced. */
  static final int KEYS_PER_WORKER = 16;

  private final List<String> files;
  private final JobSpec job;
  private final String runId;
  private final int workers;

  private ReadDocuments(List<String> files, JobSpec job, String runId, int workers) {
    this.files = List.copyOf(files);
    this.job = job;
    this.runId = runId;
    this.workers = workers;
  }

  public static ReadDocuments from(InputFiles input, JobSpec job, String runId) {
    return new ReadDocuments(input.paths(), job, runId, 1);
  }

  /** How many workers the documents are spread over after reading. */
  public ReadDocuments withWorkers(int workers) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, got " + workers);
    }
    return new ReadDocuments(files, job, runId, workers);
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    PCollectionTuple parsed =
        begin
            .apply("ListFiles", Create.of(files).withCoder(StringUtf8Coder.of()))
            .apply("Match", FileIO.matchAll())
            .apply("Open", FileIO.readMatches())
            .apply(
                "Parse",
                ParDo.of(new ReadFileFn(job, runId))
                    .withOutputTags(DOCUMENTS, TupleTagList.of(FAILED).and(DEAD_LETTERS)));
    PCollection<Document> documents =
        parsed
            .get(DOCUMENTS)
            .setCoder(AvroCoder.of(Document.class))
            // A bounded number of keys: one key per record would make DirectRunner run (and
            // set up a DoFn for) a bundle per record.
            .apply("Spread", Reshuffle.<Document>viaRandomKey().withNumBuckets(workers * KEYS_PER_WORKER));
    return PCollectionTuple.of(DOCUMENTS, documents)
        .and(FAILED, parsed.get(FAILED).setCoder(AvroCoder.of(LabelledRecord.class)))
        .and(DEAD_LETTERS, parsed.get(DEAD_LETTERS).setCoder(AvroCoder.of(DeadLetter.class)));
  }
}
