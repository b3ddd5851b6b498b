package org.edu2lms.transform.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The multilingual rule of mapping.md §Values: a dictionaries row becomes the JSONB object
 * {@code {"az": name_az, "en": name_en, "ru": name_ru}}, leaving out texts that are NULL or empty
 * after trimming; {@code {}} is a valid value.
 */
public final class Labels {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Labels() {}

  /**
   * @param dictionaryRow the {@code after} image of a dictionaries row
   * @return the label as JSON text, keys in the order az, en, ru
   */
  public static String fromDictionary(JsonNode dictionaryRow) {
    ObjectNode label = JSON.createObjectNode();
    put(label, "az", Rows.text(dictionaryRow, "name_az"));
    put(label, "en", Rows.text(dictionaryRow, "name_en"));
    put(label, "ru", Rows.text(dictionaryRow, "name_ru"));
    return label.toString();
  }

  private static void put(ObjectNode label, String lang, String text) {
    String clean = Texts.clean(text);
    if (clean != null) {
      label.put(lang, clean);
    }
  }
}
