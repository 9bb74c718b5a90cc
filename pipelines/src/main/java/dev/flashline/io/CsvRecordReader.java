package dev.flashline.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Streaming RFC 4180 CSV reader that turns each malformed record into an error {@link Row} and
 * carries on with the next one.
 *
 * <p>Hand-written because no CSV library recovers this way: they either stop at the first
 * malformed record or let a stray quote swallow everything after it. In a bulk-labelling run one
 * bad line must never cost the other records, and the bad ones must keep their original text for
 * the dead-letter output.
 */
public final class CsvRecordReader implements Closeable {

  private static final int BUFFER_SIZE = 64 * 1024;

  /**
   * The most characters one record may take while a quoted field is open (16 Mi). A quote that is
   * never closed would otherwise buffer the rest of the input; past this limit the record is
   * reported like an unterminated quote and reading resumes on the next line.
   */
  static final int MAX_RECORD_CHARS = 16 * 1024 * 1024;

  private final Reader in;
  private final String source;
  private final int maxRecordChars;

  // Own buffer instead of BufferedReader so that plain runs of characters can be appended in bulk,
  // and so that the unread rest of the input can be swapped in after an unterminated quote.
  private char[] buf = new char[BUFFER_SIZE];
  private int pos;
  private int lim;
  private boolean eof;

  /** Physical line (1-based) of the next unread character. */
  private long line = 1;

  private List<String> header;
  private boolean headerAttempted;

  private final StringBuilder raw = new StringBuilder(256);
  private final StringBuilder field = new StringBuilder(64);
  private final ArrayList<String> fields = new ArrayList<>();

  /** @param source a name for error messages (e.g. the file path) */
  public CsvRecordReader(Reader in, String source) {
    this(in, source, MAX_RECORD_CHARS);
  }

  /** @param maxRecordChars the limit on a record with an open quoted field (tests use a small one) */
  CsvRecordReader(Reader in, String source, int maxRecordChars) {
    if (in == null) {
      throw new NullPointerException("in");
    }
    if (maxRecordChars < 1) {
      throw new IllegalArgumentException("maxRecordChars must be positive, got " + maxRecordChars);
    }
    this.in = in;
    this.source = source == null ? "<csv>" : source;
    this.maxRecordChars = maxRecordChars;
  }

  /**
   * Reads the header row. Throws CsvFormatException (naming source and line) if the file is empty,
   * or the header is malformed, has an empty column name, or a duplicate column name. Must be
   * called once before next().
   */
  public List<String> header() throws IOException {
    if (header != null) {
      return header;
    }
    if (headerAttempted) {
      throw new IllegalStateException(source + ": header() already failed");
    }
    headerAttempted = true;
    if (peek() == '\uFEFF') {
      read();
    }
    Parsed p = parseRecord();
    if (p == null) {
      throw new CsvFormatException(
          source + " line " + line + ": empty file, expected a header row");
    }
    if (p.error != null) {
      throw new CsvFormatException(p.error + " (in header row)");
    }
    List<String> names = List.copyOf(fields);
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (name.isBlank()) {
        throw new CsvFormatException(
            source + " line " + p.line + ": column " + (i + 1)
                + ": empty or blank column name in header");
      }
      Integer previous = seen.putIfAbsent(name, i + 1);
      if (previous != null) {
        throw new CsvFormatException(
            source + " line " + p.line + ": column " + (i + 1) + " (\"" + name
                + "\"): duplicate column name in header (also column " + previous + ")");
      }
    }
    header = names;
    return header;
  }

  /**
   * The next record, or null at end of input. Never throws for a malformed record: returns a Row
   * whose error() is non-null instead, and continues with the following record on the next call.
   */
  public Row next() throws IOException {
    if (header == null) {
      throw new IllegalStateException(
          source + ": header() must be read successfully before next()");
    }
    Parsed p = parseRecord();
    if (p == null) {
      return null;
    }
    if (p.error != null) {
      return new Row(p.line, Map.of(), p.raw, p.error);
    }
    if (fields.size() != header.size()) {
      return new Row(p.line, Map.of(), p.raw,
          source + " line " + p.line + ": expected " + header.size() + " fields but found "
              + fields.size());
    }
    Map<String, String> values = new LinkedHashMap<>((int) (header.size() / 0.75f) + 1);
    for (int i = 0; i < fields.size(); i++) {
      values.put(header.get(i), fields.get(i));
    }
    return new Row(p.line, Collections.unmodifiableMap(values), p.raw, null);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  /**
   * One record: line = 1-based physical line where the record starts; values maps header column
   * -> value (empty string for empty fields); raw = the record's original text (without the final
   * line break) for dead-letter payloads; error = null when well formed, otherwise a specific
   * message.
   */
  public record Row(long line, Map<String, String> values, String raw, String error) {
    public boolean ok() {
      return error == null;
    }
  }

  /** The input cannot be used at all (no header, or a broken header). */
  public static final class CsvFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public CsvFormatException(String message) {
      super(message);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private record Parsed(long line, String raw, String error) {}

  /** Parses one record into {@link #fields}; null at end of input. */
  private Parsed parseRecord() throws IOException {
    int c;
    for (;;) { // blank lines are not records
      c = read();
      if (c < 0) {
        return null;
      }
      if (c == '\n') {
        line++;
      } else if (c == '\r') {
        line++;
        skipLf();
      } else {
        break;
      }
    }
    final long startLine = line;
    raw.setLength(0);
    fields.clear();
    for (;;) {
      field.setLength(0);
      final int column = fields.size() + 1;
      if (c == '"') {
        final long quoteLine = line;
        final int quoteOffset = raw.length();
        raw.append('"');
        for (;;) {
          if (raw.length() > maxRecordChars) {
            return unclosedQuote(startLine, quoteLine, quoteOffset, column,
                "quoted field opened on line " + quoteLine + " exceeded the limit of "
                    + maxRecordChars + " characters without a closing quote");
          }
          c = read();
          if (c < 0) {
            return unclosedQuote(startLine, quoteLine, quoteOffset, column,
                "quoted field opened on line " + quoteLine + " is never closed");
          }
          if (c == '"') {
            raw.append('"');
            c = read();
            if (c == '"') {
              field.append('"');
              raw.append('"');
              continue;
            }
            break; // closing quote; c is the character after it
          }
          char ch = (char) c;
          raw.append(ch);
          field.append(ch);
          if (ch == '\n') {
            line++;
          } else if (ch == '\r') {
            line++;
            if (peek() == '\n') {
              read();
              raw.append('\n');
              field.append('\n');
            }
          } else {
            int start = pos;
            // Stop one past the limit, so an over-long field is not buffered further.
            int end = (int) Math.min(lim, pos + Math.max(0L, maxRecordChars + 1L - raw.length()));
            while (pos < end) {
              char d = buf[pos];
              if (d == '"' || d == '\n' || d == '\r') {
                break;
              }
              pos++;
            }
            if (pos > start) {
              raw.append(buf, start, pos - start);
              field.append(buf, start, pos - start);
            }
          }
        }
        if (c >= 0 && c != ',' && c != '\n' && c != '\r') {
          return badRecord(startLine, c, column,
              "unexpected character " + describe(c) + " after closing quote");
        }
      } else {
        while (c >= 0 && c != ',' && c != '\n' && c != '\r') {
          if (c == '"') {
            return badRecord(startLine, c, column,
                "quote inside unquoted field (quote the whole field and double inner quotes)");
          }
          raw.append((char) c);
          field.append((char) c);
          int start = pos;
          while (pos < lim) {
            char d = buf[pos];
            if (d == ',' || d == '"' || d == '\n' || d == '\r') {
              break;
            }
            pos++;
          }
          if (pos > start) {
            raw.append(buf, start, pos - start);
            field.append(buf, start, pos - start);
          }
          c = read();
        }
      }
      fields.add(field.toString());
      if (c == ',') {
        raw.append(',');
        c = read();
        continue;
      }
      if (c == '\r') {
        line++;
        skipLf();
      } else if (c == '\n') {
        line++;
      }
      return new Parsed(startLine, raw.toString(), null);
    }
  }

  /**
   * Appends the offending character and the rest of its physical line to {@link #raw}, consumes
   * the line break, and returns the error. Resuming at the next physical line is a guess, but the
   * best one available: most broken records are single lines.
   */
  private Parsed badRecord(long startLine, int offending, int column, String what)
      throws IOException {
    String error = where(startLine, line) + ": " + columnLabel(column) + ": " + what;
    int c = offending;
    while (c >= 0 && c != '\n' && c != '\r') {
      raw.append((char) c);
      c = read();
    }
    if (c >= 0) {
      line++;
      if (c == '\r') {
        skipLf();
      }
    }
    return new Parsed(startLine, raw.toString(), error);
  }

  /**
   * A quote that is never closed (at end of input, or within {@link #maxRecordChars}) has swallowed
   * the rest of the input, or the next {@code maxRecordChars} characters, into {@link #raw}. Report
   * the record up to the end of the line where the quote opened, and feed everything after that
   * line back into the parser, so the records after a stray quote are not lost.
   */
  private Parsed unclosedQuote(long startLine, long quoteLine, int quoteOffset, int column,
      String what) throws IOException {
    String error = where(startLine, quoteLine) + ": " + columnLabel(column) + ": " + what;
    int lineEnd = quoteOffset;
    int n = raw.length();
    while (lineEnd < n && raw.charAt(lineEnd) != '\n' && raw.charAt(lineEnd) != '\r') {
      lineEnd++;
    }
    String badRaw = raw.substring(0, lineEnd);
    if (lineEnd < n) {
      int resume = lineEnd + 1;
      if (raw.charAt(lineEnd) == '\r' && resume < n && raw.charAt(resume) == '\n') {
        resume++;
      }
      // What was read after the quote's line, then what is buffered but not yet read; at end of
      // input the latter is empty and this becomes the whole rest of the input. fill() goes back to
      // a normal buffer once it is used up.
      int unread = lim - pos;
      char[] rest = new char[n - resume + unread];
      raw.getChars(resume, n, rest, 0);
      System.arraycopy(buf, pos, rest, n - resume, unread);
      buf = rest;
      pos = 0;
      lim = rest.length;
      line = quoteLine + 1;
    } else {
      // The quote's own line is over the limit: skip the rest of it without keeping it.
      int c = read();
      while (c >= 0 && c != '\n' && c != '\r') {
        c = read();
      }
      if (c >= 0) {
        line = quoteLine + 1;
        if (c == '\r') {
          skipLf();
        }
      }
    }
    // Do not hold on to the memory of an over-long record.
    raw.setLength(0);
    raw.trimToSize();
    field.setLength(0);
    field.trimToSize();
    return new Parsed(startLine, badRaw, error);
  }

  private String where(long startLine, long errorLine) {
    if (startLine == errorLine) {
      return source + " line " + errorLine;
    }
    return source + " line " + errorLine + " (record starting on line " + startLine + ")";
  }

  private String columnLabel(int column) {
    if (header != null && column <= header.size()) {
      return "column " + column + " (\"" + header.get(column - 1) + "\")";
    }
    return "column " + column;
  }

  private static String describe(int c) {
    if (c < 0x20 || c == 0x7f || Character.isWhitespace(c) && c != ' ') {
      return String.format("U+%04X", c);
    }
    return "'" + (char) c + "'";
  }

  private int read() throws IOException {
    if (pos < lim || fill()) {
      return buf[pos++];
    }
    return -1;
  }

  private int peek() throws IOException {
    if (pos < lim || fill()) {
      return buf[pos];
    }
    return -1;
  }

  private void skipLf() throws IOException {
    if (peek() == '\n') {
      pos++;
    }
  }

  private boolean fill() throws IOException {
    if (eof) {
      return false;
    }
    if (buf.length != BUFFER_SIZE) {
      buf = new char[BUFFER_SIZE]; // after reading the rest swapped in by unclosedQuote()
    }
    int n;
    do {
      n = in.read(buf, 0, buf.length);
    } while (n == 0);
    if (n < 0) {
      eof = true;
      return false;
    }
    pos = 0;
    lim = n;
    return true;
  }
}
