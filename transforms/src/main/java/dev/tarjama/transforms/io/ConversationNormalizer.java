package dev.tarjama.transforms.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.domain.SourceRecord;
import dev.tarjama.transforms.domain.TextField;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Interprets one {@link SourceRecord} as a {@link Conversation}: finds its schema (or uses the
 * forced one) and lists every string to translate with its JSON Pointer, normalized role and kind.
 * The record's JSON is never changed. A record that fits no schema, or breaks its schema, gives a
 * {@link DeadLetter} (stage {@code normalize}) naming the offending field.
 *
 * <p>What each format yields (roles after normalization; kinds in brackets):
 *
 * <ul>
 *   <li>{@code messages}: {@code messages[i].content} as a string [text], or as a list of typed
 *       parts, LLaMA-Factory v1 {@code {type, value}} with type text | reasoning | tool_call
 *       [text|reasoning|tool_call] or OpenAI {@code {type: "text", text}} [text]; other part types
 *       (images, …) are skipped. An assistant message with {@code tool_calls} may have empty or no
 *       content. SmolTalk2 preference records: {@code prompt} [user text], then the {@code
 *       chosen} and {@code rejected} message lists. BFCL: {@code question} as a list of turns, each
 *       a list of messages. SmolTalk2's {@code chat_template_kwargs.custom_instructions} is the
 *       record's system prompt, so it is a [system text] field when it is a non-blank string.
 *   <li>{@code sharegpt}: top-level {@code system}, then {@code conversations[i].value} (role from
 *       {@code from}; {@code function_call} turns are [tool_call]), then {@code chosen}/{@code
 *       rejected} (a turn object, a list of turns, or a string).
 *   <li>{@code alpaca}: {@code system}, {@code history[i][0|1]}, {@code instruction}, {@code input}
 *       (when not blank), {@code output}; Self-Instruct seed tasks have no {@code output} but
 *       {@code instances[i].input} (user, when not blank) and {@code instances[i].output}
 *       (assistant).
 *   <li>{@code fields}: the mapped fields [field]; without a mapping the known pairs: Open-Orca
 *       (system_prompt, question, response), GSM8K (question, answer), MATH (problem, solution),
 *       (prompt, response) and (prompt, completion), all strings.
 * </ul>
 *
 * <p>Blank optional strings (an empty {@code input}, an empty system prompt) are not fields.
 * Everything not listed stays untouched in the JSON ({@code tools}, {@code function}, {@code
 * answer} of MATH, ids, …).
 */
public final class ConversationNormalizer implements Serializable {
  static final String STAGE = "normalize";

  private static final List<FieldMapping> KNOWN_FIELDS =
      List.of(
          FieldMapping.of(
              List.of("system_prompt"),
              "system_prompt", "system", "question", "user", "response", "assistant"),
          FieldMapping.of(List.of(), "question", "user", "answer", "assistant"),
          FieldMapping.of(List.of(), "problem", "user", "solution", "assistant"),
          FieldMapping.of(List.of(), "prompt", "user", "response", "assistant"),
          FieldMapping.of(List.of(), "prompt", "user", "completion", "assistant"));

  private final @Nullable RecordFormat format;
  private final @Nullable FieldMapping fieldMapping;
  private final String splitField;

  /**
   * @param format the format to force, or null to detect it per record
   * @param fieldMapping the mapping for flat records, or null for the known pairs
   * @param splitField the string field that names the record's split
   */
  public ConversationNormalizer(
      @Nullable RecordFormat format, @Nullable FieldMapping fieldMapping, String splitField) {
    this.format = format;
    this.fieldMapping = fieldMapping;
    this.splitField = splitField;
  }

  /** A record's conversation, or the reason it has none. Exactly one of the two is set. */
  public static final class Result {
    public final @Nullable Conversation conversation;
    public final @Nullable DeadLetter deadLetter;

    private Result(@Nullable Conversation conversation, @Nullable DeadLetter deadLetter) {
      this.conversation = conversation;
      this.deadLetter = deadLetter;
    }
  }

  /** A schema violation at {@code pointer} ("" for the whole record). */
  static final class InvalidRecord extends Exception {
    final String pointer;

    InvalidRecord(String pointer, String message) {
      super(message, null, false, false);
      this.pointer = pointer;
    }
  }

  public Result normalize(SourceRecord record) {
    JsonNode root;
    try {
      root = RecordJson.parse(record.json());
    } catch (JsonProcessingException e) {
      return failed(record, new InvalidRecord("", "invalid JSON: " + RecordJson.message(e)));
    }
    if (!root.isObject()) {
      return failed(
          record, new InvalidRecord("", "the record is " + JsonPointers.describe(root) + ", not an object"));
    }
    try {
      RecordFormat chosen = format != null ? format : detect(root);
      List<TextField> fields = new ArrayList<>();
      switch (chosen) {
        case MESSAGES -> messagesRecord(root, fields);
        case SHAREGPT -> sharegptRecord(root, fields);
        case ALPACA -> alpacaRecord(root, fields);
        case FIELDS -> fieldsRecord(root, fields);
      }
      return new Result(
          new Conversation(record.recordId(), split(root, record), chosen.label(), record.json(), fields),
          null);
    } catch (InvalidRecord e) {
      return failed(record, e);
    }
  }

  private static Result failed(SourceRecord record, InvalidRecord e) {
    String error = e.pointer.isEmpty() ? e.getMessage() : e.pointer + ": " + e.getMessage();
    return new Result(
        null, DeadLetter.of(record.recordId(), STAGE, e.pointer, error, record.json()));
  }

  private String split(JsonNode root, SourceRecord record) {
    JsonNode value = root.get(splitField);
    if (value != null && value.isTextual() && !value.textValue().isBlank()) {
      return value.textValue();
    }
    return RecordNames.splitOf(record.file());
  }

  private RecordFormat detect(JsonNode root) throws InvalidRecord {
    if (root.has("messages")) {
      return RecordFormat.MESSAGES;
    }
    if (root.has("conversations")) {
      return RecordFormat.SHAREGPT;
    }
    if (isArray(root, "question") || isArray(root, "chosen")) {
      return RecordFormat.MESSAGES; // BFCL turns, SmolTalk2 preference
    }
    if (root.has("instruction")) {
      return RecordFormat.ALPACA;
    }
    if (fieldMapping != null || knownFields(root) != null) {
      return RecordFormat.FIELDS;
    }
    List<String> keys = new ArrayList<>();
    root.fieldNames().forEachRemaining(keys::add);
    throw new InvalidRecord(
        "",
        "no messages/conversations/instruction field and no known field pair (keys: "
            + String.join(", ", keys) + ")");
  }

  private static boolean isArray(JsonNode root, String name) {
    JsonNode node = root.get(name);
    return node != null && node.isArray();
  }

  // ---- messages -------------------------------------------------------------------------------

  private void messagesRecord(JsonNode root, List<TextField> fields) throws InvalidRecord {
    JsonNode kwargs = root.get("chat_template_kwargs");
    if (kwargs != null && kwargs.isObject()) {
      optionalString(kwargs, "/chat_template_kwargs", "custom_instructions", "system", "text", fields);
    }
    boolean found = false;
    if (root.has("messages")) {
      messageList(root.get("messages"), "/messages", fields);
      found = true;
    }
    if (isArray(root, "question")) {
      JsonNode turns = root.get("question");
      if (turns.isEmpty()) {
        throw new InvalidRecord("/question", "empty question list");
      }
      for (int i = 0; i < turns.size(); i++) {
        messageList(turns.get(i), JsonPointers.child("/question", i), fields);
      }
      found = true;
    }
    if (root.has("chosen") || root.has("rejected")) {
      optionalString(root, "", "prompt", "user", "text", fields);
      for (String side : List.of("chosen", "rejected")) {
        if (root.has(side)) {
          messageList(root.get(side), "/" + side, fields);
          found = true;
        }
      }
    }
    if (!found) {
      throw new InvalidRecord("", "no messages field");
    }
  }

  private static void messageList(JsonNode list, String pointer, List<TextField> fields)
      throws InvalidRecord {
    if (list == null || !list.isArray()) {
      throw new InvalidRecord(
          pointer, "expected a list of messages, found " + JsonPointers.describe(list));
    }
    if (list.isEmpty()) {
      throw new InvalidRecord(pointer, "empty messages list");
    }
    for (int i = 0; i < list.size(); i++) {
      message(list.get(i), JsonPointers.child(pointer, i), fields);
    }
  }

  private static void message(JsonNode message, String pointer, List<TextField> fields)
      throws InvalidRecord {
    if (!message.isObject()) {
      throw new InvalidRecord(
          pointer, "a message must be an object, found " + JsonPointers.describe(message));
    }
    String role = role(message, pointer, "role");
    boolean toolCalls = hasToolCalls(message);
    String contentPointer = pointer + "/content";
    JsonNode content = message.get("content");
    if (content == null || content.isNull()) {
      if (!toolCalls) {
        throw new InvalidRecord(contentPointer, "content missing and no tool_calls");
      }
    } else if (content.isTextual()) {
      if (!content.textValue().isBlank()) {
        fields.add(new TextField(contentPointer, role, "text", content.textValue()));
      } else if (!toolCalls) {
        throw new InvalidRecord(contentPointer, "empty content and no tool_calls");
      }
    } else if (content.isArray()) {
      if (content.isEmpty() && !toolCalls) {
        throw new InvalidRecord(contentPointer, "empty content and no tool_calls");
      }
      for (int j = 0; j < content.size(); j++) {
        contentPart(content.get(j), JsonPointers.child(contentPointer, j), role, fields);
      }
    } else {
      throw new InvalidRecord(
          contentPointer,
          "content is " + JsonPointers.describe(content)
              + ", expected a string or a list of content parts");
    }
  }

  private static void contentPart(JsonNode part, String pointer, String role, List<TextField> fields)
      throws InvalidRecord {
    if (!part.isObject()) {
      throw new InvalidRecord(
          pointer, "a content part must be an object, found " + JsonPointers.describe(part));
    }
    JsonNode type = part.get("type");
    if (type == null || !type.isTextual()) {
      throw new InvalidRecord(pointer + "/type", "content part type missing");
    }
    String kind =
        switch (type.textValue()) {
          case "text" -> "text";
          case "reasoning", "thinking" -> "reasoning";
          case "tool_call" -> "tool_call";
          default -> null; // images, audio, …: nothing to translate
        };
    if (kind == null) {
      return;
    }
    String key = part.has("value") ? "value" : part.has("text") ? "text" : null;
    if (key == null) {
      throw new InvalidRecord(pointer, "a " + type.textValue() + " part has no value or text");
    }
    String textPointer = JsonPointers.child(pointer, key);
    JsonNode text = part.get(key);
    if (!text.isTextual()) {
      throw new InvalidRecord(
          textPointer, "expected a string, found " + JsonPointers.describe(text));
    }
    if (!text.textValue().isBlank()) {
      fields.add(new TextField(textPointer, role, kind, text.textValue()));
    }
  }

  private static boolean hasToolCalls(JsonNode message) {
    JsonNode calls = message.get("tool_calls");
    JsonNode legacy = message.get("function_call");
    return (calls != null && calls.isArray() && !calls.isEmpty())
        || (legacy != null && legacy.isObject());
  }

  private static String role(JsonNode message, String pointer, String key) throws InvalidRecord {
    String rolePointer = JsonPointers.child(pointer, key);
    JsonNode role = message.get(key);
    if (role == null || role.isNull()) {
      throw new InvalidRecord(rolePointer, "role missing");
    }
    if (!role.isTextual()) {
      throw new InvalidRecord(
          rolePointer, "role is " + JsonPointers.describe(role) + ", expected a string");
    }
    String normalized = Roles.normalize(role.textValue());
    if (normalized == null) {
      throw new InvalidRecord(rolePointer, "unknown role '" + role.textValue() + "'");
    }
    return normalized;
  }

  // ---- sharegpt -------------------------------------------------------------------------------

  private static void sharegptRecord(JsonNode root, List<TextField> fields) throws InvalidRecord {
    if (!root.has("conversations")) {
      throw new InvalidRecord("", "no conversations field");
    }
    optionalString(root, "", "system", "system", "text", fields);
    JsonNode turns = root.get("conversations");
    if (!turns.isArray()) {
      throw new InvalidRecord(
          "/conversations", "expected a list of turns, found " + JsonPointers.describe(turns));
    }
    if (turns.isEmpty()) {
      throw new InvalidRecord("/conversations", "empty conversations list");
    }
    for (int i = 0; i < turns.size(); i++) {
      sharegptTurn(turns.get(i), JsonPointers.child("/conversations", i), fields);
    }
    for (String side : List.of("chosen", "rejected")) {
      JsonNode answer = root.get(side);
      if (answer == null || answer.isNull()) {
        continue;
      }
      String pointer = "/" + side;
      if (answer.isObject()) {
        sharegptTurn(answer, pointer, fields);
      } else if (answer.isArray()) {
        for (int i = 0; i < answer.size(); i++) {
          sharegptTurn(answer.get(i), JsonPointers.child(pointer, i), fields);
        }
      } else if (answer.isTextual()) {
        requiredText(answer, pointer, "assistant", "text", fields);
      } else {
        throw new InvalidRecord(
            pointer, "expected a turn, a list of turns or a string, found "
                + JsonPointers.describe(answer));
      }
    }
  }

  private static void sharegptTurn(JsonNode turn, String pointer, List<TextField> fields)
      throws InvalidRecord {
    if (!turn.isObject()) {
      throw new InvalidRecord(
          pointer, "a turn must be an object, found " + JsonPointers.describe(turn));
    }
    // LLaMA-Factory lets a ShareGPT dataset use role/content tags instead of from/value.
    boolean tagged = !turn.has("from") && turn.has("role");
    String role = role(turn, pointer, tagged ? "role" : "from");
    String key = tagged ? "content" : "value";
    JsonNode value = turn.get(key);
    String valuePointer = JsonPointers.child(pointer, key);
    if (value == null || value.isNull()) {
      throw new InvalidRecord(valuePointer, key + " missing");
    }
    requiredText(value, valuePointer, role, role.equals("function_call") ? "tool_call" : "text", fields);
  }

  // ---- alpaca ---------------------------------------------------------------------------------

  private static void alpacaRecord(JsonNode root, List<TextField> fields) throws InvalidRecord {
    if (!root.has("instruction")) {
      throw new InvalidRecord("", "no instruction field");
    }
    optionalString(root, "", "system", "system", "text", fields);
    JsonNode history = root.get("history");
    if (history != null && !history.isNull()) {
      if (!history.isArray()) {
        throw new InvalidRecord(
            "/history", "expected a list of [question, answer] pairs, found "
                + JsonPointers.describe(history));
      }
      for (int i = 0; i < history.size(); i++) {
        String pair = JsonPointers.child("/history", i);
        JsonNode qa = history.get(i);
        if (!qa.isArray() || qa.size() != 2) {
          throw new InvalidRecord(pair, "expected a [question, answer] pair");
        }
        requiredText(qa.get(0), JsonPointers.child(pair, 0), "user", "text", fields);
        requiredText(qa.get(1), JsonPointers.child(pair, 1), "assistant", "text", fields);
      }
    }
    JsonNode instruction = root.get("instruction");
    if (!instruction.isTextual()) {
      throw new InvalidRecord(
          "/instruction", "expected a string, found " + JsonPointers.describe(instruction));
    }
    int before = fields.size();
    optionalString(root, "", "instruction", "user", "text", fields);
    optionalString(root, "", "input", "user", "text", fields);
    if (fields.size() == before) {
      throw new InvalidRecord("/instruction", "empty instruction and input");
    }
    if (root.has("output")) {
      requiredText(root.get("output"), "/output", "assistant", "text", fields);
    } else if (root.has("instances")) {
      // Self-Instruct seed tasks: one instruction, several input/output instances.
      JsonNode instances = root.get("instances");
      if (!instances.isArray() || instances.isEmpty()) {
        throw new InvalidRecord("/instances", "expected a non-empty list of {input, output}");
      }
      for (int i = 0; i < instances.size(); i++) {
        String pointer = JsonPointers.child("/instances", i);
        JsonNode instance = instances.get(i);
        if (!instance.isObject()) {
          throw new InvalidRecord(
              pointer, "an instance must be an object, found " + JsonPointers.describe(instance));
        }
        optionalString(instance, pointer, "input", "user", "text", fields);
        requiredText(instance.get("output"), pointer + "/output", "assistant", "text", fields);
      }
    } else if (!root.has("chosen")) {
      throw new InvalidRecord("/output", "output missing");
    }
    for (String side : List.of("chosen", "rejected")) {
      if (root.has(side)) {
        requiredText(root.get(side), "/" + side, "assistant", "text", fields);
      }
    }
  }

  // ---- fields ---------------------------------------------------------------------------------

  private void fieldsRecord(JsonNode root, List<TextField> fields) throws InvalidRecord {
    FieldMapping mapping = fieldMapping != null ? fieldMapping : knownFields(root);
    if (mapping == null) {
      throw new InvalidRecord(
          "", "no field mapping given and none of the known field pairs is present");
    }
    for (var entry : mapping.roles().entrySet()) {
      String pointer = FieldMapping.pointer(entry.getKey());
      JsonNode value = JsonPointers.at(root, pointer);
      if (value.isMissingNode() || value.isNull()) {
        if (mapping.isOptional(entry.getKey())) {
          continue;
        }
        throw new InvalidRecord(pointer, "mapped field missing");
      }
      if (!value.isTextual()) {
        throw new InvalidRecord(
            pointer, "expected a string, found " + JsonPointers.describe(value));
      }
      if (!value.textValue().isBlank()) {
        fields.add(new TextField(pointer, entry.getValue(), "field", value.textValue()));
      }
    }
    if (fields.isEmpty()) {
      throw new InvalidRecord("", "every mapped field (" + mapping + ") is blank");
    }
  }

  private static @Nullable FieldMapping knownFields(JsonNode root) {
    for (FieldMapping mapping : KNOWN_FIELDS) {
      boolean matches = true;
      for (Iterator<String> names = mapping.names().iterator(); names.hasNext() && matches; ) {
        String name = names.next();
        JsonNode value = root.get(name);
        matches = mapping.isOptional(name) || (value != null && value.isTextual());
      }
      if (matches) {
        return mapping;
      }
    }
    return null;
  }

  // ---- shared ---------------------------------------------------------------------------------

  /** Adds {@code parent[name]} when it is a non-blank string; absent, null or blank adds nothing. */
  private static void optionalString(
      JsonNode parent, String parentPointer, String name, String role, String kind,
      List<TextField> fields) throws InvalidRecord {
    JsonNode value = parent.get(name);
    if (value == null || value.isNull()) {
      return;
    }
    String pointer = JsonPointers.child(parentPointer, name);
    if (!value.isTextual()) {
      throw new InvalidRecord(pointer, "expected a string, found " + JsonPointers.describe(value));
    }
    if (!value.textValue().isBlank()) {
      fields.add(new TextField(pointer, role, kind, value.textValue()));
    }
  }

  /** Adds {@code value}, which must be a non-blank string. */
  private static void requiredText(
      @Nullable JsonNode value, String pointer, String role, String kind, List<TextField> fields)
      throws InvalidRecord {
    if (value == null || value.isNull()) {
      throw new InvalidRecord(pointer, "missing");
    }
    if (!value.isTextual()) {
      throw new InvalidRecord(pointer, "expected a string, found " + JsonPointers.describe(value));
    }
    if (value.textValue().isBlank()) {
      throw new InvalidRecord(pointer, "empty text");
    }
    fields.add(new TextField(pointer, role, kind, value.textValue()));
  }
}
