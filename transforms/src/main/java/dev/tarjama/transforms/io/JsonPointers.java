package dev.tarjama.transforms.io;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * Reads and writes the strings that {@link dev.tarjama.transforms.domain.TextField#pointer} names in
 * a Jackson tree. Pointers are RFC 6901 JSON Pointers: {@code /messages/2/content}, with {@code ~}
 * escaped as {@code ~0} and {@code /} as {@code ~1} inside a token.
 */
public final class JsonPointers {
  private JsonPointers() {}

  /** The pointer to member {@code key} of the value at {@code parent}. */
  public static String child(String parent, String key) {
    return parent + "/" + escape(key);
  }

  /** The pointer to element {@code index} of the array at {@code parent}. */
  public static String child(String parent, int index) {
    return parent + "/" + index;
  }

  /** Escapes one reference token: {@code ~} → {@code ~0}, {@code /} → {@code ~1} (in that order). */
  public static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }

  /** Undoes {@link #escape}: {@code ~1} → {@code /}, then {@code ~0} → {@code ~}. */
  public static String unescape(String token) {
    return token.replace("~1", "/").replace("~0", "~");
  }

  /** The node at {@code pointer}, or a missing node ({@link JsonNode#isMissingNode()}). */
  public static JsonNode at(JsonNode root, String pointer) {
    return root.at(JsonPointer.compile(pointer));
  }

  /**
   * The string at {@code pointer}.
   *
   * @throws IllegalArgumentException when nothing is there or the value is not a string
   */
  public static String getString(JsonNode root, String pointer) {
    JsonNode node = at(root, pointer);
    if (!node.isTextual()) {
      throw new IllegalArgumentException(
          "no string at " + pointer + " (found " + describe(node) + ")");
    }
    return node.textValue();
  }

  /**
   * Replaces the string at {@code pointer} with {@code value}, in place. Only an existing string is
   * replaced: a translation must land exactly where its source text was, so a pointer to anything
   * else is a bug, not a place to create a field.
   *
   * @throws IllegalArgumentException when nothing is there or the value is not a string
   */
  public static void set(JsonNode root, String pointer, String value) {
    JsonPointer compiled = JsonPointer.compile(pointer);
    if (compiled.matches()) {
      throw new IllegalArgumentException("cannot replace the whole document (pointer \"\")");
    }
    JsonNode existing = root.at(compiled);
    if (!existing.isTextual()) {
      throw new IllegalArgumentException(
          "no string at " + pointer + " (found " + describe(existing) + ")");
    }
    JsonNode parent = root.at(compiled.head());
    JsonPointer last = compiled.last();
    if (parent instanceof ObjectNode object) {
      object.set(last.getMatchingProperty(), TextNode.valueOf(value));
    } else if (parent instanceof ArrayNode array) {
      array.set(last.getMatchingIndex(), TextNode.valueOf(value));
    } else {
      throw new IllegalArgumentException("no container at the parent of " + pointer);
    }
  }

  static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    return switch (node.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case ARRAY -> "a list";
      case OBJECT -> "an object";
      default -> node.getNodeType().name().toLowerCase();
    };
  }
}
