package dev.flashline.estimate;

import dev.flashline.cost.DeepSeekTokenizer;
import dev.flashline.io.DocumentMapper;
import dev.flashline.io.InputFiles;
import dev.flashline.io.InputRowReader;
import dev.flashline.task.ChatMessage;
import dev.flashline.task.JobSpec;
import dev.flashline.task.PromptLayout;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * One pass over a job's input: maps every row to a document as the pipeline does, counts the
 * distinct texts (duplicates are asked once per task), tokenizes each distinct document once with
 * the DeepSeek tokenizer, and keeps a deterministic sample of distinct texts (those with the
 * smallest content hashes) for the local model.
 *
 * <p>A document's own prompt tokens do not depend on the task: the chat template tokenizes the
 * system message and the user message separately, so every task's request is its prefix followed
 * by the same fenced document and the assistant marker.
 */
public final class DocumentScan {
  /** Above this many records, progress goes to the error stream. */
  public static final long PROGRESS_ABOVE = 50_000;
  public static final long PROGRESS_EVERY = 100_000;

  private final DeepSeekTokenizer tokenizer;
  private final PromptLayout layout;
  private final int[] summaryBudgets;
  private final int sampleSize;

  private long records;
  private long unmappable;
  private String firstUnmappable;
  private long distinct;
  private long documentTokens;
  private long duplicates;
  private long duplicateDocumentTokens;
  /** Per summary budget: sum over distinct documents of min(document tokens, budget), and over duplicates. */
  private final long[] summaryOutput;
  private final long[] duplicateSummaryOutput;
  /** Token counts of distinct texts by hash, so a duplicate is counted without tokenizing it again. */
  private final java.util.Map<Long, Integer> tokensOf = new java.util.HashMap<>();
  private final TreeMap<Long, String> sample = new TreeMap<>();

  /**
   * @param job the job (its first task's layout fences documents; every layout fences alike)
   * @param summaryBudgets output-token budgets of the summary tasks, one sum kept for each
   * @param sampleSize distinct documents to keep for the local model
   */
  public DocumentScan(JobSpec job, int[] summaryBudgets, int sampleSize) {
    this.tokenizer = DeepSeekTokenizer.instance();
    this.layout = PromptLayout.of(job.taskJobs().get(0));
    this.summaryBudgets = summaryBudgets.clone();
    this.summaryOutput = new long[summaryBudgets.length];
    this.duplicateSummaryOutput = new long[summaryBudgets.length];
    this.sampleSize = sampleSize;
  }

  /** Reads every file; progress to {@code err} when the input is large. */
  public static DocumentScan run(JobSpec job, InputFiles files, int[] summaryBudgets, int sampleSize, PrintWriter err)
      throws IOException {
    DocumentScan scan = new DocumentScan(job, summaryBudgets, sampleSize);
    DocumentMapper mapper = new DocumentMapper(job);
    boolean progress = files.estimatedRecords() > PROGRESS_ABOVE;
    InputRowReader.forEach(files, row -> {
      String text = null;
      String error;
      if (row.ok()) {
        DocumentMapper.Mapped mapped = mapper.map(row);
        error = mapped.error();
        if (mapped.document() != null) {
          text = mapped.document().getText();
        }
      } else {
        error = row.error();
      }
      scan.add(text, error);
      if (progress && scan.records % PROGRESS_EVERY == 0) {
        err.printf("estimate: %,d of about %,d records tokenized%n", scan.records, files.estimatedRecords());
        err.flush();
      }
    });
    return scan;
  }

  /** One record: its text, or null with the reason it cannot be a document. */
  public void add(String text, String error) {
    records++;
    if (text == null) {
      unmappable++;
      if (firstUnmappable == null) {
        firstUnmappable = error;
      }
      return;
    }
    long hash = hash(text);
    Integer known = tokensOf.get(hash);
    if (known != null) {
      duplicates++;
      int tokens = known;
      duplicateDocumentTokens += tokens;
      for (int i = 0; i < summaryBudgets.length; i++) {
        duplicateSummaryOutput[i] += Math.min(tokens, summaryBudgets[i]);
      }
      return;
    }
    int tokens = documentTokens(text);
    tokensOf.put(hash, tokens);
    distinct++;
    documentTokens += tokens;
    for (int i = 0; i < summaryBudgets.length; i++) {
      summaryOutput[i] += Math.min(tokens, summaryBudgets[i]);
    }
    if (sampleSize > 0) {
      if (sample.size() < sampleSize) {
        sample.put(hash, text);
      } else if (hash < sample.lastKey()) {
        sample.pollLastEntry();
        sample.put(hash, text);
      }
    }
  }

  /** A document's own prompt tokens: the fenced document in the user message and the assistant marker. */
  public int documentTokens(String text) {
    String fenced = layout.messages(text).get(1).content();
    return tokenizer.count(fenced) + 1;
  }

  /**
   * The document tokens every request shares after its prefix: the fence's opening, as the
   * tokenizer splits it before documents of different starts.
   */
  public static long sharedLead(PromptLayout layout) {
    DeepSeekTokenizer tokenizer = DeepSeekTokenizer.instance();
    int[] common = null;
    int length = Integer.MAX_VALUE;
    for (String probe : List.of("a", "Z", "1", " x", "\u4e2d", "<", "\n", "\"")) {
      int[] ids = tokenizer.ids(layout.messages(probe).get(1).content());
      if (common == null) {
        common = ids;
        length = ids.length;
        continue;
      }
      int k = 0;
      while (k < Math.min(length, ids.length) && common[k] == ids[k]) {
        k++;
      }
      length = k;
    }
    return length;
  }

  /** P: the tokens a task's requests share, BOS through the user marker. */
  public static long prefixTokens(PromptLayout layout) {
    return DeepSeekTokenizer.instance()
        .render(List.of(ChatMessage.system(layout.staticPrefix()), ChatMessage.user("")))
        .userInputEnds()[0];
  }

  private static long hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(digest).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  public long records() {
    return records;
  }

  public long unmappable() {
    return unmappable;
  }

  /** The first unmappable record's reason, or null. */
  public String firstUnmappable() {
    return firstUnmappable;
  }

  /** Documents read (records that mapped), duplicates included. */
  public long documents() {
    return records - unmappable;
  }

  public long distinct() {
    return distinct;
  }

  public long documentTokens() {
    return documentTokens;
  }

  public long duplicates() {
    return duplicates;
  }

  public long duplicateDocumentTokens() {
    return duplicateDocumentTokens;
  }

  /** Summed min(document tokens, budget) over distinct documents, for summary budget {@code i}. */
  public long summaryOutput(int i) {
    return summaryOutput[i];
  }

  public long duplicateSummaryOutput(int i) {
    return duplicateSummaryOutput[i];
  }

  /** The sampled distinct texts, in hash order (deterministic). */
  public List<String> sample() {
    return new ArrayList<>(sample.values());
  }
}
