package dev.flashline.beam;

import dev.flashline.schema.Document;

/** How error messages name a document: its id and where it came from. */
public final class Documents {
  private Documents() {}

  public static String describe(Document document) {
    return document.getSource() == null
        ? "record '" + document.getId() + "'"
        : "record '" + document.getId() + "' (" + document.getSource() + ")";
  }
}
