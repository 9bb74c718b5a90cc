package dev.flashline.cost;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a price schedule from YAML, strictly: an unknown field is an error (a typo such as
 * {@code cache_mis:} must not silently leave a price at zero), and every error names the file,
 * the line and column, and the field.
 *
 * <p>It walks the token stream rather than binding to the records because a model is priced in
 * one of two shapes, and because cross-field errors (peak prices without peak hours, dates out
 * of order) must still point at a line, which a bound object no longer knows.
 */
final class PriceScheduleLoader {
  private static final YAMLFactory YAML = new YAMLFactory();

  private static final Set<String> TOP_FIELDS = Set.of("schedules");
  private static final Set<String> ENTRY_FIELDS = Set.of("id", "effective_from", "peak_hours", "models");
  private static final Set<String> PEAK_HOURS_FIELDS = Set.of("days", "utc");
  private static final Set<String> PRICE_FIELDS = Set.of("cache_hit", "cache_miss", "output");
  private static final Set<String> MODEL_FIELDS = Set.of("cache_hit", "cache_miss", "output", "peak", "off_peak");

  private static final Pattern WINDOW = Pattern.compile("(\\d{1,2}):(\\d{2})\\s*-\\s*(\\d{1,2}):(\\d{2})");

  private final JsonParser parser;
  private final String source;
  /** Where the name of the field last read by {@link #nextField} is; errors about a whole field point there. */
  private JsonLocation fieldAt;

  private PriceScheduleLoader(JsonParser parser, String source) {
    this.parser = parser;
    this.source = source;
  }

  static PriceSchedule load(Path file) throws PriceScheduleException {
    String yaml;
    try {
      yaml = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new PriceScheduleException("prices " + file + ": no such file");
    } catch (IOException e) {
      throw new PriceScheduleException("prices " + file + ": cannot read: " + e.getMessage(), e);
    }
    return parse(yaml, file.toString());
  }

  static PriceSchedule parse(String yaml, String source) throws PriceScheduleException {
    try (JsonParser parser = YAML.createParser(yaml)) {
      return new PriceScheduleLoader(parser, source).readDocument();
    } catch (JsonProcessingException e) {
      throw new PriceScheduleException(
          "prices " + source + where(e.getLocation()) + ": not valid YAML: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new PriceScheduleException("prices " + source + ": " + e.getMessage(), e);
    }
  }

  private PriceSchedule readDocument() throws IOException, PriceScheduleException {
    JsonToken first = parser.nextToken();
    if (first == null || first == JsonToken.VALUE_NULL) {
      throw fail(null, "", "the file is empty; it needs a 'schedules:' list of price entries");
    }
    if (first != JsonToken.START_OBJECT) {
      throw fail(here(), "", "expected a mapping with a 'schedules:' list at the top level, got " + describe());
    }
    JsonLocation top = here();
    List<PriceEntry> entries = null;
    Set<String> seen = new HashSet<>();
    String name;
    while ((name = nextField("", TOP_FIELDS, seen)) != null) {
      entries = readEntries(name);
    }
    if (entries == null) {
      throw fail(top, "schedules", "missing; the file needs a 'schedules:' list of price entries");
    }
    if (parser.nextToken() != null) {
      throw fail(here(), "", "expected one YAML document, found more");
    }
    return new PriceSchedule(entries, source);
  }

  private List<PriceEntry> readEntries(String path) throws IOException, PriceScheduleException {
    if (parser.currentToken() != JsonToken.START_ARRAY) {
      throw fail(here(), path, "must be a list of price entries, got " + describe());
    }
    JsonLocation listAt = here();
    List<PriceEntry> entries = new ArrayList<>();
    Map<String, String> pathById = new HashMap<>();
    while (nextItem()) {
      String entryPath = path + "[" + entries.size() + "]";
      ParsedEntry parsed = readEntry(entryPath);
      PriceEntry entry = parsed.entry();
      String earlier = pathById.putIfAbsent(entry.id(), entryPath);
      if (earlier != null) {
        throw fail(parsed.idAt(), entryPath + ".id", "duplicate id '" + entry.id() + "' (also the id of " + earlier + ")");
      }
      if (!entries.isEmpty()) {
        PriceEntry previous = entries.get(entries.size() - 1);
        if (!entry.effectiveFrom().isAfter(previous.effectiveFrom())) {
          throw fail(
              parsed.effectiveFromAt(),
              entryPath + ".effective_from",
              entry.effectiveFrom() + " must be after the previous entry's (" + previous.effectiveFrom() + ", '"
                  + previous.id() + "'); list entries oldest first, each taking effect later than the one before");
        }
      }
      entries.add(entry);
    }
    if (entries.isEmpty()) {
      throw fail(listAt, path, "needs at least one price entry");
    }
    return entries;
  }

  /** An entry and where its fields were, for errors that compare it with other entries. */
  private record ParsedEntry(PriceEntry entry, JsonLocation idAt, JsonLocation effectiveFromAt) {}

  private ParsedEntry readEntry(String path) throws IOException, PriceScheduleException {
    JsonLocation entryAt = requireMapping(path, "a price entry (id, effective_from, models)");
    String id = null;
    JsonLocation idAt = null;
    Instant effectiveFrom = null;
    JsonLocation effectiveFromAt = null;
    PeakHours peakHours = null;
    JsonLocation peakHoursAt = null;
    Map<String, ModelPrices> models = null;
    Map<String, JsonLocation> modelAt = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    String name;
    while ((name = nextField(path, ENTRY_FIELDS, seen)) != null) {
      String field = path + "." + name;
      switch (name) {
        case "id" -> {
          idAt = here();
          id = readText(field, "a non-blank name such as deepseek-v4-launch");
        }
        case "effective_from" -> {
          effectiveFromAt = here();
          effectiveFrom = readInstant(field);
        }
        case "peak_hours" -> {
          peakHoursAt = fieldAt;
          peakHours = readPeakHours(field);
        }
        case "models" -> models = readModels(field, modelAt);
        default -> throw new IllegalStateException(name);
      }
    }
    String needs = "every entry needs id, effective_from and models";
    if (id == null) {
      throw fail(entryAt, path + ".id", "missing; " + needs);
    }
    if (effectiveFrom == null) {
      throw fail(entryAt, path + ".effective_from", "missing; " + needs);
    }
    if (models == null) {
      throw fail(entryAt, path + ".models", "missing; " + needs);
    }
    for (Map.Entry<String, ModelPrices> model : models.entrySet()) {
      String field = path + ".models." + model.getKey();
      if (model.getValue().tiered() && peakHours == null) {
        throw fail(
            modelAt.get(model.getKey()),
            field,
            "has peak and off_peak prices but entry '" + id
                + "' has no peak_hours to say when each applies; add peak_hours to the entry or give one"
                + " price (cache_hit, cache_miss, output)");
      }
      if (!model.getValue().tiered() && peakHours != null) {
        throw fail(
            modelAt.get(model.getKey()),
            field,
            "entry '" + id + "' has peak_hours (line " + peakHoursAt.getLineNr()
                + "), so every model needs peak and off_peak prices, not one price");
      }
    }
    try {
      return new ParsedEntry(new PriceEntry(id, effectiveFrom, peakHours, models), idAt, effectiveFromAt);
    } catch (IllegalArgumentException e) {
      throw fail(entryAt, path, e.getMessage());
    }
  }

  private Map<String, ModelPrices> readModels(String path, Map<String, JsonLocation> modelAt)
      throws IOException, PriceScheduleException {
    JsonLocation at = requireMapping(path, "a mapping from model name to prices");
    Map<String, ModelPrices> models = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    String name;
    while ((name = nextField(path, null, seen)) != null) {
      String field = path + "." + name;
      if (name.isBlank()) {
        throw fail(fieldAt, field, "a model name must not be blank");
      }
      modelAt.put(name, fieldAt);
      models.put(name, readModel(field));
    }
    if (models.isEmpty()) {
      throw fail(at, path, "prices no models; list at least one");
    }
    return models;
  }

  private ModelPrices readModel(String path) throws IOException, PriceScheduleException {
    JsonLocation at =
        requireMapping(path, "prices: {cache_hit, cache_miss, output} or {peak: {...}, off_peak: {...}}");
    Map<String, Double> flat = new HashMap<>();
    UnitPrices peak = null;
    UnitPrices offPeak = null;
    Set<String> seen = new HashSet<>();
    String name;
    while ((name = nextField(path, MODEL_FIELDS, seen)) != null) {
      String field = path + "." + name;
      switch (name) {
        case "peak" -> peak = readUnitPrices(field);
        case "off_peak" -> offPeak = readUnitPrices(field);
        default -> flat.put(name, readPrice(field));
      }
    }
    boolean tiered = peak != null || offPeak != null;
    if (tiered && !flat.isEmpty()) {
      throw fail(
          at,
          path,
          "give either one price (cache_hit, cache_miss, output) or peak and off_peak prices, not both");
    }
    if (tiered) {
      if (peak == null) {
        throw fail(at, path + ".peak", "missing; a model with off_peak prices needs peak prices too");
      }
      if (offPeak == null) {
        throw fail(at, path + ".off_peak", "missing; a model with peak prices needs off_peak prices too");
      }
      return ModelPrices.tiered(peak, offPeak);
    }
    return ModelPrices.standard(unitPrices(flat, at, path, " (or give peak and off_peak prices)"));
  }

  private UnitPrices readUnitPrices(String path) throws IOException, PriceScheduleException {
    JsonLocation at = requireMapping(path, "prices: {cache_hit, cache_miss, output}");
    Map<String, Double> fields = new HashMap<>();
    Set<String> seen = new HashSet<>();
    String name;
    while ((name = nextField(path, PRICE_FIELDS, seen)) != null) {
      fields.put(name, readPrice(path + "." + name));
    }
    return unitPrices(fields, at, path, "");
  }

  private UnitPrices unitPrices(Map<String, Double> fields, JsonLocation at, String path, String alternative)
      throws PriceScheduleException {
    for (String name : List.of("cache_hit", "cache_miss", "output")) {
      if (!fields.containsKey(name)) {
        throw fail(
            at,
            path + "." + name,
            "missing; a price needs cache_hit, cache_miss and output (USD per 1,000,000 tokens)" + alternative);
      }
    }
    return new UnitPrices(fields.get("cache_hit"), fields.get("cache_miss"), fields.get("output"));
  }

  private PeakHours readPeakHours(String path) throws IOException, PriceScheduleException {
    JsonLocation at = requireMapping(path, "days: [MON, ...] and utc: [\"01:00-04:00\", ...]");
    Set<DayOfWeek> days = null;
    List<PeakHours.Window> windows = null;
    JsonLocation windowsAt = null;
    Set<String> seen = new HashSet<>();
    String name;
    while ((name = nextField(path, PEAK_HOURS_FIELDS, seen)) != null) {
      String field = path + "." + name;
      if (name.equals("days")) {
        days = readDays(field);
      } else {
        windowsAt = here();
        windows = readWindows(field);
      }
    }
    if (days == null) {
      throw fail(at, path + ".days", "missing; list the weekdays with peak hours, such as [MON, TUE, WED, THU, FRI]");
    }
    if (windows == null) {
      throw fail(at, path + ".utc", "missing; list the peak windows in UTC, such as [\"01:00-04:00\"]");
    }
    try {
      return new PeakHours(days, windows);
    } catch (IllegalArgumentException e) {
      throw fail(windowsAt, path + ".utc", e.getMessage());
    }
  }

  private Set<DayOfWeek> readDays(String path) throws IOException, PriceScheduleException {
    JsonLocation at = requireList(path, "weekdays such as [MON, TUE, WED, THU, FRI]");
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    for (int i = 0; nextItem(); i++) {
      String field = path + "[" + i + "]";
      String text = readText(field, "a weekday: MON to SUN, or MONDAY to SUNDAY");
      DayOfWeek day = dayOf(text);
      if (day == null) {
        throw fail(here(), field, "unknown day '" + text + "'; use MON to SUN, or MONDAY to SUNDAY");
      }
      // A repeated day is most likely a typo for another (TUE for THU), so it is not let through.
      if (!days.add(day)) {
        throw fail(here(), field, day + " is listed twice");
      }
    }
    if (days.isEmpty()) {
      throw fail(at, path, "needs at least one weekday (leave out peak_hours for one price all week)");
    }
    return days;
  }

  private static DayOfWeek dayOf(String text) {
    String name = text.strip().toUpperCase(Locale.ROOT);
    for (DayOfWeek day : DayOfWeek.values()) {
      if (day.name().equals(name) || day.name().substring(0, 3).equals(name)) {
        return day;
      }
    }
    return null;
  }

  private List<PeakHours.Window> readWindows(String path) throws IOException, PriceScheduleException {
    JsonLocation at = requireList(path, "time windows in UTC such as [\"01:00-04:00\", \"06:00-10:00\"]");
    List<PeakHours.Window> windows = new ArrayList<>();
    for (int i = 0; nextItem(); i++) {
      String field = path + "[" + i + "]";
      String text = readText(field, "a time window in UTC such as \"01:00-04:00\"");
      Matcher m = WINDOW.matcher(text.strip());
      if (!m.matches()) {
        throw fail(here(), field, "'" + text + "' is not a time window; write HH:MM-HH:MM in UTC, such as \"01:00-04:00\"");
      }
      int start = minuteOfDay(m.group(1), m.group(2));
      int end = minuteOfDay(m.group(3), m.group(4));
      if (start < 0 || end < 0) {
        throw fail(here(), field, "'" + text + "' has a time that is not between 00:00 and 24:00");
      }
      try {
        windows.add(new PeakHours.Window(start, end));
      } catch (IllegalArgumentException e) {
        throw fail(here(), field, "'" + text + "': " + e.getMessage());
      }
    }
    if (windows.isEmpty()) {
      throw fail(at, path, "needs at least one time window (leave out peak_hours for one price all day)");
    }
    return windows;
  }

  /** Minutes since midnight, or -1 when the hour or minute is out of range; 24:00 is allowed as an end. */
  private static int minuteOfDay(String hours, String minutes) {
    int h = Integer.parseInt(hours);
    int m = Integer.parseInt(minutes);
    if (h > 24 || m > 59 || (h == 24 && m != 0)) {
      return -1;
    }
    return h * 60 + m;
  }

  private double readPrice(String path) throws IOException, PriceScheduleException {
    JsonToken token = parser.currentToken();
    String expected = "must be a finite number >= 0 (USD per 1,000,000 tokens), got ";
    if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
      throw fail(here(), path, expected + describe());
    }
    double value;
    try {
      value = parser.getDoubleValue();
    } catch (JsonProcessingException e) {
      // YAML's .nan and .inf scan as numbers that Jackson then cannot convert.
      throw fail(here(), path, expected + parser.getText());
    }
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw fail(here(), path, expected + parser.getText());
    }
    return value;
  }

  private Instant readInstant(String path) throws IOException, PriceScheduleException {
    String expected = "must be an instant with a UTC offset, such as 2026-04-24T00:00:00Z";
    if (parser.currentToken() != JsonToken.VALUE_STRING) {
      throw fail(here(), path, expected + ", got " + describe());
    }
    String text = parser.getText().strip();
    try {
      // An offset is required: a local time would be read differently on machines in other zones.
      return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw fail(here(), path, expected + ", got '" + text + "'");
    }
  }

  private String readText(String path, String expected) throws IOException, PriceScheduleException {
    JsonToken token = parser.currentToken();
    if (token != JsonToken.VALUE_STRING || parser.getText().isBlank()) {
      boolean scalar = token != null && token.isScalarValue() && token != JsonToken.VALUE_NULL;
      throw fail(here(), path, "must be " + expected + ", got " + describe() + (scalar ? " (put it in quotes)" : ""));
    }
    return parser.getText().strip();
  }

  private JsonLocation requireMapping(String path, String expected) throws IOException, PriceScheduleException {
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      throw fail(here(), path, "must be " + expected + ", got " + describe());
    }
    return here();
  }

  private JsonLocation requireList(String path, String expected) throws IOException, PriceScheduleException {
    if (parser.currentToken() != JsonToken.START_ARRAY) {
      throw fail(here(), path, "must be a list of " + expected + ", got " + describe());
    }
    return here();
  }

  /**
   * Moves to the next field of the mapping the parser is in and then onto its value; returns the
   * field's name, or null at the end of the mapping.
   *
   * @param known the allowed names; null when any name is allowed (model names)
   * @param seen the names read so far in this mapping, so a repeated one is caught
   */
  private String nextField(String path, Set<String> known, Set<String> seen)
      throws IOException, PriceScheduleException {
    if (parser.nextToken() != JsonToken.FIELD_NAME) {
      return null;
    }
    String name = parser.currentName();
    fieldAt = here();
    String field = path.isEmpty() ? name : path + "." + name;
    if (known != null && !known.contains(name)) {
      throw fail(fieldAt, field, "unknown field (known fields: " + String.join(", ", known.stream().sorted().toList()) + ")");
    }
    // YAML parsers keep the last of two equal keys; the first would be silently lost.
    if (!seen.add(name)) {
      throw fail(fieldAt, field, "given twice in the same mapping");
    }
    parser.nextToken();
    return name;
  }

  /** Moves to the next item of the list the parser is in; false at the end of the list. */
  private boolean nextItem() throws IOException {
    JsonToken token = parser.nextToken();
    return token != null && token != JsonToken.END_ARRAY;
  }

  private String describe() throws IOException {
    JsonToken token = parser.currentToken();
    if (token == null) {
      return "the end of the file";
    }
    return switch (token) {
      case START_OBJECT -> "a mapping";
      case START_ARRAY -> "a list";
      case VALUE_NULL -> "nothing";
      case VALUE_STRING -> "'" + parser.getText() + "'";
      default -> parser.getText();
    };
  }

  private JsonLocation here() {
    return parser.currentTokenLocation();
  }

  private PriceScheduleException fail(JsonLocation at, String field, String detail) {
    return new PriceScheduleException(
        "prices " + source + where(at) + (field.isEmpty() ? "" : ": field '" + field + "'") + ": " + detail);
  }

  private static String where(JsonLocation location) {
    if (location == null || location.getLineNr() < 1) {
      return "";
    }
    return " line " + location.getLineNr() + ", column " + location.getColumnNr();
  }
}
