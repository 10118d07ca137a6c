package dev.tarjama.transforms.domain;

/**
 * One string of a record that may be translated: where it sits in the record (a JSON Pointer, RFC
 * 6901), which conversational role it belongs to, what kind of content it is, and its text.
 *
 * <p>Roles are normalized to {@code system}, {@code user}, {@code assistant}, {@code tool} (tool
 * results / observations) and {@code function_call}; kinds are {@code text}, {@code reasoning}
 * (typed reasoning parts), {@code tool_call} (typed tool-call parts) and {@code field} (a flat
 * record field).
 */
public record TextField(String pointer, String role, String kind, String text) {
  @Override
  public String toString() {
    return "TextField{" + pointer + ", " + role + "/" + kind + "}";
  }
}
