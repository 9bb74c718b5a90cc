package dev.flashline.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashline.io.CsvRecordReader.CsvFormatException;
import dev.flashline.io.CsvRecordReader.Row;
import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CsvRecordReaderTest {

  private static final String SOURCE = "data.csv";

  // --- well-formed input --------------------------------------------------------------------

  @Test
  void simpleFile() throws IOException {
    try (CsvRecordReader r = reader("id,text\n1,hello\n2,world\n")) {
      assertThat(r.header()).containsExactly("id", "text");
      Row first = r.next();
      assertThat(first.ok()).isTrue();
      assertThat(first.line()).isEqualTo(2);
      assertThat(first.values()).containsExactly(Map.entry("id", "1"), Map.entry("text", "hello"));
      assertThat(first.raw()).isEqualTo("1,hello");
      Row second = r.next();
      assertThat(second.line()).isEqualTo(3);
      assertThat(second.values()).containsEntry("text", "world");
      assertThat(r.next()).isNull();
      assertThat(r.next()).isNull();
    }
  }

  @Test
  void valuesKeepHeaderOrderAndAreNotTrimmed() throws IOException {
    List<Row> rows = rows("c, b ,a\n 3 ,, x\n");
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).values().keySet()).containsExactly("c", " b ", "a");
    assertThat(rows.get(0).values())
        .containsExactly(Map.entry("c", " 3 "), Map.entry(" b ", ""), Map.entry("a", " x"));
  }

  @Test
  void emptyFieldsIncludingTrailingOnes() throws IOException {
    List<Row> rows = rows("a,b,c\n,,\n1,,\n,\"\",3");
    assertThat(rows).extracting(Row::ok).containsOnly(true);
    assertThat(rows.get(0).values()).containsOnly(Map.entry("a", ""), Map.entry("b", ""),
        Map.entry("c", ""));
    assertThat(rows.get(1).values()).containsEntry("a", "1").containsEntry("c", "");
    assertThat(rows.get(2).values()).containsEntry("b", "").containsEntry("c", "3");
  }

  @Test
  void quotedFieldMayContainCommas() throws IOException {
    List<Row> rows = rows("id,text,label\n1,\"a, b, c\",x\n");
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).ok()).isTrue();
    assertThat(rows.get(0).values())
        .containsExactly(
            Map.entry("id", "1"), Map.entry("text", "a, b, c"), Map.entry("label", "x"));
    assertThat(rows.get(0).raw()).isEqualTo("1,\"a, b, c\",x");
  }

  @Test
  void doubledQuotesAreUnescaped() throws IOException {
    List<Row> rows = rows("id,text\n1,\"say \"\"hi\"\"\"\n2,\"\"\n3,\"\"\"\"\n");
    assertThat(rows).extracting(Row::ok).containsOnly(true);
    assertThat(rows.get(0).values()).containsEntry("text", "say \"hi\"");
    assertThat(rows.get(0).raw()).isEqualTo("1,\"say \"\"hi\"\"\"");
    assertThat(rows.get(1).values()).containsEntry("text", "");
    assertThat(rows.get(2).values()).containsEntry("text", "\"");
  }

  @Test
  void multiLineQuotedFieldKeepsLineBreaksAndLaterLinesAreCountedPhysically() throws IOException {
    String csv = "id,text\n"
        + "1,\"line one\nline two\r\nline three\rline four\"\n"
        + "2,after\n"
        + "3,\"x\ny\"\n"
        + "4,last";
    List<Row> rows = rows(csv);
    assertThat(rows).extracting(Row::ok).containsOnly(true);
    assertThat(rows).extracting(Row::line).containsExactly(2L, 6L, 7L, 9L);
    assertThat(rows.get(0).values().get("text"))
        .isEqualTo("line one\nline two\r\nline three\rline four");
    assertThat(rows.get(0).raw()).isEqualTo("1,\"line one\nline two\r\nline three\rline four\"");
    assertThat(rows.get(1).values()).containsEntry("id", "2");
    assertThat(rows.get(2).values()).containsEntry("text", "x\ny");
    assertThat(rows.get(3).values()).containsEntry("text", "last");
  }

  @Test
  void crlfAndLoneCrTerminateRecords() throws IOException {
    List<Row> rows = rows("id,text\r\n1,a\r\n2,\"b\"\r3,c\r\n4,d\r");
    assertThat(rows).extracting(Row::ok).containsOnly(true);
    assertThat(rows).extracting(Row::line).containsExactly(2L, 3L, 4L, 5L);
    assertThat(rows).extracting(row -> row.values().get("text"))
        .containsExactly("a", "b", "c", "d");
    assertThat(rows).extracting(Row::raw).containsExactly("1,a", "2,\"b\"", "3,c", "4,d");
  }

  @Test
  void byteOrderMarkIsDroppedFromHeader() throws IOException {
    try (CsvRecordReader r = reader("\uFEFFid,text\n1,a\n")) {
      assertThat(r.header()).containsExactly("id", "text");
      assertThat(r.next().values()).containsEntry("id", "1");
    }
  }

  @Test
  void trailingNewlineIsOptional() throws IOException {
    List<Row> with = rows("id,text\n1,a\n2,\"b\"\n");
    List<Row> without = rows("id,text\n1,a\n2,\"b\"");
    assertThat(with).hasSize(2);
    assertThat(without).isEqualTo(with);
    List<Row> crlf = rows("id,text\r\n1,a\r\n2,\"b\"\r\n");
    assertThat(crlf).isEqualTo(with);
  }

  @Test
  void blankLinesAreSkippedButCounted() throws IOException {
    List<Row> rows = rows("\n\r\nid,text\n\n1,a\n\r\n\r\r2,b\n\n\n");
    assertThat(rows).extracting(Row::ok).containsOnly(true);
    assertThat(rows).extracting(Row::line).containsExactly(5L, 9L);
  }

  @Test
  void oneCharacterReadsGiveTheSameResult() throws IOException {
    String csv = "\uFEFFid,text\r\n1,\"a\r\nb\"\r\n\r\n2,\"x\"\"y\"\r3,ab\"c\r\n"
        + "4,\"oops\r\n5,z\r\n";
    List<Row> normal = rows(csv);
    List<Row> trickled = new ArrayList<>();
    Reader trickle = new OneCharReader(new StringReader(csv));
    try (CsvRecordReader r = new CsvRecordReader(trickle, SOURCE)) {
      assertThat(r.header()).containsExactly("id", "text");
      for (Row row = r.next(); row != null; row = r.next()) {
        trickled.add(row);
      }
    }
    assertThat(trickled).isEqualTo(normal);
    assertThat(normal).extracting(Row::line).containsExactly(2L, 5L, 6L, 7L, 8L);
    assertThat(normal).extracting(Row::ok).containsExactly(true, true, false, false, true);
  }

  // --- malformed records --------------------------------------------------------------------

  @Test
  void tooFewFields() throws IOException {
    List<Row> rows = rows("id,text,label\n1,a\n2,b,c\n");
    Row bad = rows.get(0);
    assertThat(bad.ok()).isFalse();
    assertThat(bad.line()).isEqualTo(2);
    assertThat(bad.raw()).isEqualTo("1,a");
    assertThat(bad.error()).isEqualTo("data.csv line 2: expected 3 fields but found 2");
    assertThat(rows.get(1).ok()).isTrue();
    assertThat(rows.get(1).values()).containsEntry("label", "c");
  }

  @Test
  void tooManyFields() throws IOException {
    List<Row> rows = rows("id,text\n1,a,extra\n2,b\n");
    assertThat(rows.get(0).ok()).isFalse();
    assertThat(rows.get(0).error()).contains("data.csv", "line 2", "expected 2", "found 3");
    assertThat(rows.get(0).raw()).isEqualTo("1,a,extra");
    assertThat(rows.get(1).ok()).isTrue();
    assertThat(rows.get(1).line()).isEqualTo(3);
  }

  @Test
  void quoteInsideUnquotedField() throws IOException {
    List<Row> rows = rows("id,text\n1,abc\"def,x\n2,ok\n");
    Row bad = rows.get(0);
    assertThat(bad.ok()).isFalse();
    assertThat(bad.line()).isEqualTo(2);
    assertThat(bad.values()).isEmpty();
    assertThat(bad.raw()).isEqualTo("1,abc\"def,x");
    assertThat(bad.error())
        .startsWith("data.csv line 2: column 2 (\"text\"): quote inside unquoted field");
    assertThat(rows.get(1).ok()).isTrue();
    assertThat(rows.get(1).line()).isEqualTo(3);
    assertThat(rows.get(1).values()).containsEntry("text", "ok");
  }

  @Test
  void garbageAfterClosingQuote() throws IOException {
    List<Row> rows = rows("id,text\r\n1,\"abc\"def,more\r\n2,ok\r\n");
    Row bad = rows.get(0);
    assertThat(bad.ok()).isFalse();
    assertThat(bad.error())
        .isEqualTo("data.csv line 2: column 2 (\"text\"): "
            + "unexpected character 'd' after closing quote");
    assertThat(bad.raw()).isEqualTo("1,\"abc\"def,more");
    assertThat(rows.get(1).ok()).isTrue();
    assertThat(rows.get(1).line()).isEqualTo(3);
  }

  @Test
  void errorInsideMultiLineRecordNamesBothLines() throws IOException {
    List<Row> rows = rows("id,text\n1,\"a\nb\"x\n2,ok\n");
    Row bad = rows.get(0);
    assertThat(bad.line()).isEqualTo(2);
    assertThat(bad.raw()).isEqualTo("1,\"a\nb\"x");
    assertThat(bad.error()).contains("data.csv line 3", "record starting on line 2",
        "column 2 (\"text\")", "'x'");
    assertThat(rows.get(1).line()).isEqualTo(4);
    assertThat(rows.get(1).ok()).isTrue();
  }

  @Test
  void errorBeyondLastHeaderColumnNamesOnlyTheNumber() throws IOException {
    List<Row> rows = rows("id,text\n1,a,b\"c\n");
    assertThat(rows.get(0).error()).startsWith("data.csv line 2: column 3: quote inside unquoted");
  }

  @Test
  void unterminatedQuoteInTheMiddleResumesOnTheNextLine() throws IOException {
    String csv = "id,text\n1,ok\n2,\"oops\n3,fine\n4,also fine\r\n\n5,end";
    List<Row> rows = rows(csv);
    assertThat(rows).extracting(Row::line).containsExactly(2L, 3L, 4L, 5L, 7L);
    assertThat(rows).extracting(Row::ok).containsExactly(true, false, true, true, true);
    Row bad = rows.get(1);
    assertThat(bad.raw()).isEqualTo("2,\"oops");
    assertThat(bad.values()).isEmpty();
    assertThat(bad.error()).contains("data.csv", "line 3", "column 2 (\"text\")", "never closed");
    assertThat(rows.subList(2, 5)).extracting(row -> row.values().get("id"))
        .containsExactly("3", "4", "5");
    assertThat(rows.get(3).values()).containsEntry("text", "also fine");
  }

  @Test
  void unterminatedQuoteOnTheLastLine() throws IOException {
    List<Row> rows = rows("id,text\n1,ok\n2,\"oops, no end");
    assertThat(rows).hasSize(2);
    assertThat(rows.get(1).ok()).isFalse();
    assertThat(rows.get(1).line()).isEqualTo(3);
    assertThat(rows.get(1).raw()).isEqualTo("2,\"oops, no end");
  }

  @Test
  void linesResumedAfterAnUnterminatedQuoteAreCheckedAgain() throws IOException {
    // Seen from line 2's open quote, the "" on line 3 is an escaped quote, so the field runs to the
    // end of input; parsed again on its own, line 3 has a stray quote.
    List<Row> rows = rows("id,text\n1,\"a\n2,b\"\"\n3,c\n");
    assertThat(rows).extracting(Row::line).containsExactly(2L, 3L, 4L);
    assertThat(rows).extracting(Row::ok).containsExactly(false, false, true);
    assertThat(rows).extracting(Row::raw).containsExactly("1,\"a", "2,b\"\"", "3,c");
    assertThat(rows.get(0).error()).contains("never closed");
    assertThat(rows.get(1).error()).contains("line 3", "quote inside unquoted field");
  }

  @Test
  void strayQuoteThatPairsWithALaterQuoteCostsOnlyTheLinesBetween() throws IOException {
    List<Row> rows = rows("id,text\n1,\"a\n2,\"b\n3,c\n");
    assertThat(rows).extracting(Row::line).containsExactly(2L, 4L);
    assertThat(rows).extracting(Row::ok).containsExactly(false, true);
    assertThat(rows.get(0).raw()).isEqualTo("1,\"a\n2,\"b");
    assertThat(rows.get(0).error()).isEqualTo("data.csv line 3 (record starting on line 2): "
        + "column 2 (\"text\"): unexpected character 'b' after closing quote");
    assertThat(rows.get(1).values()).containsEntry("id", "3");
  }

  @Test
  void unterminatedQuoteAfterAMultiLineFieldKeepsTheWholeRecordPrefix() throws IOException {
    List<Row> rows = rows("id,text,note\n1,\"a\nb\",\"oops\n2,x,y\n");
    Row bad = rows.get(0);
    assertThat(bad.ok()).isFalse();
    assertThat(bad.line()).isEqualTo(2);
    assertThat(bad.raw()).isEqualTo("1,\"a\nb\",\"oops");
    assertThat(bad.error()).contains("data.csv line 3", "column 3 (\"note\")", "never closed");
    assertThat(rows.get(1).ok()).isTrue();
    assertThat(rows.get(1).line()).isEqualTo(4);
    assertThat(rows.get(1).values()).containsEntry("note", "y");
  }

  // --- limit on an open quoted field -------------------------------------------------------

  @Test
  void defaultLimitIsSixteenMebiCharacters() {
    assertThat(CsvRecordReader.MAX_RECORD_CHARS).isEqualTo(16 * 1024 * 1024);
  }

  @Test
  void quotedFieldOverTheLimitIsReportedAndReadingResumesOnTheNextLine() throws IOException {
    StringBuilder csv = new StringBuilder("id,text\n1,ok\n2,\"oops\n3,fine\r\n\n");
    for (int i = 4; i <= 40; i++) {
      csv.append(i).append(",row ").append(i).append('\n');
    }
    // Far more than 50 characters follow the stray quote, and it is never closed.
    List<Row> rows = rows(csv.toString(), 50);
    assertThat(rows).hasSize(40);
    Row bad = rows.get(1);
    assertThat(bad.ok()).isFalse();
    assertThat(bad.line()).isEqualTo(3);
    assertThat(bad.values()).isEmpty();
    assertThat(bad.raw()).isEqualTo("2,\"oops");
    assertThat(bad.error())
        .isEqualTo("data.csv line 3: column 2 (\"text\"): quoted field opened on line 3 "
            + "exceeded the limit of 50 characters without a closing quote");
    assertThat(rows.get(2).line()).isEqualTo(4);
    assertThat(rows.get(2).values()).containsEntry("text", "fine");
    List<Row> after = rows.subList(2, rows.size());
    assertThat(after).extracting(Row::ok).containsOnly(true);
    assertThat(after.get(after.size() - 1).line()).isEqualTo(42);
    assertThat(after.get(after.size() - 1).values()).containsEntry("text", "row 40");
    // the same when the input arrives one character at a time
    assertThat(rows(new OneCharReader(new StringReader(csv.toString())), 50)).isEqualTo(rows);
  }

  @Test
  void quoteLineLongerThanTheLimitIsCutAndSkipped() throws IOException {
    String csv = "id,text\n1,\"" + "x".repeat(5000) + "\r\n2,after\n3,\"q\"\n";
    List<Row> rows = rows(csv, 100);
    assertThat(rows).extracting(Row::line).containsExactly(2L, 3L, 4L);
    assertThat(rows).extracting(Row::ok).containsExactly(false, true, true);
    Row bad = rows.get(0);
    assertThat(bad.raw()).startsWith("1,\"xxx").hasSizeLessThanOrEqualTo(102);
    assertThat(bad.error()).contains("data.csv line 2", "column 2 (\"text\")",
        "exceeded the limit of 100 characters");
    assertThat(rows.get(1).values()).containsEntry("text", "after");
    assertThat(rows.get(2).values()).containsEntry("text", "q");
    assertThat(rows(new OneCharReader(new StringReader(csv)), 100)).isEqualTo(rows);
  }

  @Test
  void limitCountsTheRecordUpToTheClosingQuote() throws IOException {
    // 1,"abcde is 8 characters before the closing quote
    assertThat(rows("id,text\n1,\"abcde\"\n2,b\n", 8)).extracting(Row::ok)
        .containsExactly(true, true);
    List<Row> over = rows("id,text\n1,\"abcde\"\n2,b\n", 7);
    assertThat(over).extracting(Row::ok).containsExactly(false, true);
    assertThat(over.get(0).error()).contains("exceeded the limit of 7");
  }

  @Test
  void multiLineQuotedFieldWithinTheLimitIsUnaffected() throws IOException {
    List<Row> rows = rows("id,text\n1,\"a\nb\nc\"\n2,d\n", 20);
    assertThat(rows).extracting(Row::ok).containsExactly(true, true);
    assertThat(rows.get(0).values()).containsEntry("text", "a\nb\nc");
    assertThat(rows.get(1).line()).isEqualTo(5);
  }

  @Test
  void strayQuoteInALargeInputDoesNotBufferTheRestOfIt() throws IOException {
    int n = 100_000;
    StringBuilder csv = new StringBuilder(n * 16).append("id,text\n0,\"stray\n");
    for (int i = 1; i <= n; i++) {
      csv.append(i).append(",text ").append(i).append('\n');
    }
    CountingReader counting = new CountingReader(new StringReader(csv.toString()));
    try (CsvRecordReader r = new CsvRecordReader(counting, SOURCE, 1000)) {
      r.header();
      Row bad = r.next();
      assertThat(bad.ok()).isFalse();
      assertThat(bad.error()).contains("line 2", "exceeded the limit of 1000");
      // at most the limit and a couple of 64 Ki buffers, not the whole ~1.5 M characters
      assertThat(counting.count).isLessThan(1000 + 3 * 64 * 1024).isLessThan(csv.length());
      long ok = 0;
      Row last = null;
      for (Row row = r.next(); row != null; row = r.next()) {
        assertThat(row.error()).isNull();
        ok++;
        last = row;
      }
      assertThat(ok).isEqualTo(n);
      assertThat(last.line()).isEqualTo(n + 2);
      assertThat(last.values()).containsEntry("id", String.valueOf(n));
      assertThat(counting.count).isEqualTo(csv.length());
    }
  }

  @Test
  void overLongQuotedHeaderIsAFormatError() {
    assertThatThrownBy(() -> new CsvRecordReader(new StringReader("id,\"text\n1,a\n2,b\n"), SOURCE, 5)
            .header())
        .isInstanceOf(CsvFormatException.class)
        .hasMessageContaining("data.csv line 1")
        .hasMessageContaining("exceeded the limit of 5");
  }

  @Test
  void limitMustBePositive() {
    assertThatThrownBy(() -> new CsvRecordReader(new StringReader("id\n"), SOURCE, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // --- header -------------------------------------------------------------------------------

  @Test
  void emptyFileIsAFormatError() {
    assertThatThrownBy(() -> reader("").header())
        .isInstanceOf(CsvFormatException.class)
        .hasMessageContaining("data.csv")
        .hasMessageContaining("line 1")
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> reader("\n\r\n").header()).isInstanceOf(CsvFormatException.class);
    assertThatThrownBy(() -> reader("\uFEFF").header()).isInstanceOf(CsvFormatException.class);
  }

  @Test
  void duplicateHeaderNameIsAFormatError() {
    assertThatThrownBy(() -> reader("id,text,id\n1,a,b\n").header())
        .isInstanceOf(CsvFormatException.class)
        .hasMessageContaining("data.csv line 1")
        .hasMessageContaining("column 3 (\"id\")")
        .hasMessageContaining("duplicate");
  }

  @Test
  void emptyHeaderNameIsAFormatError() {
    assertThatThrownBy(() -> reader("id,,text\n").header())
        .isInstanceOf(CsvFormatException.class)
        .hasMessageContaining("data.csv line 1")
        .hasMessageContaining("column 2");
    assertThatThrownBy(() -> reader("id,text,\n").header())
        .isInstanceOf(CsvFormatException.class)
        .hasMessageContaining("column 3");
  }

  @Test
  void malformedHeaderIsAFormatError() {
    assertThatThrownBy(() -> reader("\nid,te\"xt\n1,a\n").header())
        .isInstanceOf(CsvFormatException.class)
        .hasMessageContaining("data.csv line 2")
        .hasMessageContaining("column 2");
    assertThatThrownBy(() -> reader("id,\"text\n1,a\n").header())
        .isInstanceOf(CsvFormatException.class)
        .hasMessageContaining("never closed");
  }

  @Test
  void quotedHeaderNamesAreUnquoted() throws IOException {
    try (CsvRecordReader r = reader("\"id\",\"the, text\"\n1,a\n")) {
      assertThat(r.header()).containsExactly("id", "the, text");
      assertThat(r.next().values()).containsEntry("the, text", "a");
    }
  }

  @Test
  void nextBeforeHeaderIsRejected() {
    assertThatThrownBy(() -> reader("id\n1\n").next()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closeClosesTheUnderlyingReader() throws IOException {
    boolean[] closed = {false};
    Reader in = new StringReader("id\n1\n") {
      @Override
      public void close() {
        closed[0] = true;
      }
    };
    new CsvRecordReader(in, SOURCE).close();
    assertThat(closed[0]).isTrue();
  }

  // --- volume -------------------------------------------------------------------------------

  @Test
  void twoHundredThousandRows() throws IOException {
    int n = 200_000;
    StringBuilder csv = new StringBuilder(n * 40).append("id,text,label\r\n");
    for (int i = 1; i <= n; i++) {
      csv.append(i).append(',');
      if (i % 3 == 0) {
        csv.append("\"quoted, \"\"text\"\"\n").append(i).append('"');
      } else {
        csv.append("plain text ").append(i);
      }
      csv.append(",label").append(i % 7);
      csv.append(i % 2 == 0 ? "\r\n" : "\n");
    }
    long ok = 0;
    long multiLine = 0;
    Row last = null;
    try (CsvRecordReader r = reader(csv.toString())) {
      r.header();
      for (Row row = r.next(); row != null; row = r.next()) {
        assertThat(row.error()).isNull();
        ok++;
        if (row.values().get("text").indexOf('\n') >= 0) {
          multiLine++;
        }
        last = row;
      }
    }
    assertThat(ok).isEqualTo(n);
    assertThat(multiLine).isEqualTo(n / 3);
    // every third record takes two physical lines; the header takes line 1
    assertThat(last.line()).isEqualTo(1 + n + (n - 1) / 3);
    assertThat(last.values()).containsEntry("id", String.valueOf(n));
  }

  // --- helpers ------------------------------------------------------------------------------

  private static CsvRecordReader reader(String csv) {
    return new CsvRecordReader(new StringReader(csv), SOURCE);
  }

  private static List<Row> rows(String csv) throws IOException {
    List<Row> rows = new ArrayList<>();
    try (CsvRecordReader r = reader(csv)) {
      r.header();
      for (Row row = r.next(); row != null; row = r.next()) {
        rows.add(row);
      }
    }
    return rows;
  }

  private static List<Row> rows(String csv, int maxRecordChars) throws IOException {
    return rows(new StringReader(csv), maxRecordChars);
  }

  private static List<Row> rows(Reader in, int maxRecordChars) throws IOException {
    List<Row> rows = new ArrayList<>();
    try (CsvRecordReader r = new CsvRecordReader(in, SOURCE, maxRecordChars)) {
      r.header();
      for (Row row = r.next(); row != null; row = r.next()) {
        rows.add(row);
      }
    }
    return rows;
  }

  /** Counts the characters handed out, to see how far ahead the reader has read. */
  private static final class CountingReader extends FilterReader {
    long count;

    CountingReader(Reader in) {
      super(in);
    }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
      int n = super.read(cbuf, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }

  /** Hands out one character per read, so that CRLF and "" are split across buffer refills. */
  private static final class OneCharReader extends FilterReader {
    OneCharReader(Reader in) {
      super(in);
    }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
      return super.read(cbuf, off, Math.min(len, 1));
    }
  }
}
