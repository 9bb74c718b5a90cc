package dev.flashline.io;

import dev.flashline.backend.local.LocalBackend;
import dev.flashline.beam.JobProgress;
import dev.flashline.schema.DeadLetter;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.task.JobSpec;
import dev.flashline.task.LabelledRecords;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * Reads one input file into documents. A record that cannot become a document becomes a failed
 * row (naming file, line and field) and a dead letter with its original text; the rest of the
 * file is still read.
 */
final class ReadFileFn extends DoFn<FileIO.ReadableFile, Document> {
  private static final int BUFFER = 1 << 20;

  private final JobSpec job;
  private final DocumentMapper mapper;
  private final String runId;
  private transient JobProgress.Tracker progress;

  ReadFileFn(JobSpec job, String runId) {
    this.job = job;
    this.mapper = new DocumentMapper(job);
    this.runId = runId;
  }

  @Setup
  public void setup() {
    progress = JobProgress.tracker(runId);
  }

  @ProcessElement
  public void process(@Element FileIO.ReadableFile file, MultiOutputReceiver out) {
    String path = file.getMetadata().resourceId().toString();
    String name = file.getMetadata().resourceId().getFilename();
    InputFormat format =
        InputFormat.of(name).orElseThrow(() -> new IllegalArgumentException(path + ": unsupported file type"));
    try {
      switch (format) {
        case PARQUET -> {
          try (SeekableByteChannel channel = file.openSeekable()) {
            ParquetRows.read(channel, name, row -> emit(row, path, out));
          }
        }
        case JSONL -> {
          try (BufferedReader in = new BufferedReader(reader(file), BUFFER)) {
            JsonlRows.read(in, name, row -> emit(row, path, out));
          }
        }
        case CSV -> CsvRows.read(new BufferedReader(reader(file), BUFFER), name, row -> emit(row, path, out));
      }
    } catch (IOException e) {
      emit(InputRow.broken(name, "file", null, path + ": cannot read: " + e.getMessage()), path, out);
    }
  }

  /** Invalid UTF-8 becomes U+FFFD rather than failing a whole file for one bad byte. */
  private static Reader reader(FileIO.ReadableFile file) throws IOException {
    return Channels.newReader(
        file.open(),
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE),
        BUFFER);
  }

  private void emit(InputRow row, String path, MultiOutputReceiver out) {
    String id;
    String recordId = null; // the record's own id, when it has one
    String error;
    if (row.ok()) {
      DocumentMapper.Mapped mapped = mapper.map(row);
      if (mapped.document() != null) {
        out.get(ReadDocuments.DOCUMENTS).output(mapped.document());
        return;
      }
      id = mapped.id();
      error = mapped.error();
      if (mapped.idFromRecord()) {
        recordId = id;
      }
    } else {
      id = row.where();
      error = row.error();
    }
    // One row per task, so every task's output accounts for every input record.
    for (JobSpec task : job.taskJobs()) {
      LabelledRecord failed = LabelledRecords.failed(id, task.task(), LocalBackend.NAME, task.local().model(), error);
      failed.setTaskName(task.name());
      out.get(ReadDocuments.FAILED).output(failed);
    }
    out.get(ReadDocuments.DEAD_LETTERS)
        .output(
            DeadLetter.newBuilder()
                .setJob(job.name())
                .setSource(path)
                .setLocation(row.location())
                .setRecordId(recordId)
                .setReason(error)
                .setPayload(row.payload())
                .build());
    progress.add(job.taskJobs().size());
  }
}
