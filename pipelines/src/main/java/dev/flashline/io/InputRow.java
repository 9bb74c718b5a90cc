package dev.flashline.io;

import java.util.Map;

/**
 * One record as a reader found it, before the job's field mapping: its fields, or why it could
 * not be read.
 *
 * @param file the file's name, for ids and messages
 * @param location where in the file: "line 7" or "row 12"
 * @param fields field name to value (String, Number, Boolean, or a nested structure); empty on
 *     error
 * @param payload the original text of the record, for dead letters
 * @param error why the record could not be read, naming file and location; null when it could
 */
public record InputRow(String file, String location, Map<String, Object> fields, String payload, String error) {
  public static InputRow ok(String file, String location, Map<String, Object> fields, String payload) {
    return new InputRow(file, location, fields, payload, null);
  }

  public static InputRow broken(String file, String location, String payload, String error) {
    return new InputRow(file, location, Map.of(), payload, error);
  }

  public boolean ok() {
    return error == null;
  }

  /** "file line 7", how messages and ids of unreadable records name them. */
  public String where() {
    return file + " " + location;
  }
}
