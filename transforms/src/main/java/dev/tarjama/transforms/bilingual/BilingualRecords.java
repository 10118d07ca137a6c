package dev.tarjama.transforms.bilingual;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.models.prompt.PromptTemplate;
import dev.tarjama.transforms.io.JsonPointers;
import dev.tarjama.transforms.io.RecordJson;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds Hala's bilingual supervision from one record's {@link InstructionTurns} and its chosen
 * translation (the record in its own format, translated):
 *
 * <ul>
 *   <li>the tuple {@code {id, instr_en, instr_ar, resp_en, resp_ar}}, plus {@code system_en} and
 *       {@code system_ar} when the record has a system prompt (kept aside, not folded into the
 *       instruction);
 *   <li>translator-training records in chat format, both directions for each part (system prompt,
 *       instruction, response): {@code {id, record_id, part, direction, messages: [system?, user:
 *       prompt(text), assistant: translation]}}, {@code part} {@code system}, {@code instruction}
 *       or {@code response}, {@code direction} {@code en-ar} or {@code ar-en}, {@code id} {@code
 *       <record id>/<part>/<direction>}. The user turn is the translation prompt ({@link
 *       #DEFAULT_EN_AR} / {@link #DEFAULT_AR_EN} unless configured) around the text; the optional
 *       system turn is the translator's system prompt (none by default).
 * </ul>
 *
 * <p>The Arabic of a part is read at the part's JSON Pointers in the translated record and joined
 * as the English is (a blank line between fields). A part whose role was not translated
 * ({@code --translate-roles}) comes out unchanged, so its "Arabic" is English.
 */
public final class BilingualRecords implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Hala's translation prompt, as the project ships it ({@code hala}). */
  public static final PromptTemplate DEFAULT_EN_AR = PromptTemplate.named("hala");

  /** The same wording the other way round. */
  public static final PromptTemplate DEFAULT_AR_EN =
      PromptTemplate.of("Translate from {source_lang} to {target_lang}: {text}")
          .withLanguages("Arabic", "English");

  private final PromptTemplate enToAr;
  private final PromptTemplate arToEn;
  private final String translatorSystem;

  private BilingualRecords(PromptTemplate enToAr, PromptTemplate arToEn, String translatorSystem) {
    this.enToAr = Objects.requireNonNull(enToAr);
    this.arToEn = Objects.requireNonNull(arToEn);
    this.translatorSystem = Objects.requireNonNull(translatorSystem);
  }

  public static BilingualRecords defaults() {
    return new BilingualRecords(DEFAULT_EN_AR, DEFAULT_AR_EN, "");
  }

  public BilingualRecords withPrompts(PromptTemplate enToAr, PromptTemplate arToEn) {
    return new BilingualRecords(enToAr, arToEn, translatorSystem);
  }

  /** A system turn for every training record ("" for none). */
  public BilingualRecords withTranslatorSystemPrompt(String system) {
    return new BilingualRecords(enToAr, arToEn, system);
  }

  public PromptTemplate enToArPrompt() {
    return enToAr;
  }

  public PromptTemplate arToEnPrompt() {
    return arToEn;
  }

  /** The system turn of every training record ("" for none). */
  public String translatorSystemPrompt() {
    return translatorSystem;
  }

  /**
   * The tuple and the training records of one record, or the reason there are none.
   *
   * @param tuple the bilingual tuple (null when there is none)
   * @param training the translator-training records (empty when there are none)
   * @param problem "" when built, else why not
   */
  public record Built(ObjectNode tuple, List<ObjectNode> training, String problem) {}

  public Built build(InstructionTurns turns, String translatedJson) {
    if (!turns.eligible()) {
      return new Built(null, List.of(), turns.skipReason());
    }
    JsonNode translated;
    try {
      translated = RecordJson.parse(translatedJson);
    } catch (JsonProcessingException e) {
      return new Built(null, List.of(), "translated record does not parse");
    }
    String systemAr = arabic(translated, turns.systemPointers());
    String instructionAr = arabic(translated, turns.instructionPointers());
    String responseAr = arabic(translated, turns.responsePointers());
    if (systemAr == null || instructionAr == null || responseAr == null) {
      return new Built(null, List.of(), "translated record lacks a translated field");
    }
    ObjectNode tuple = RecordJson.MAPPER.createObjectNode();
    tuple.put("id", turns.recordId());
    tuple.put("instr_en", turns.instructionEn());
    tuple.put("instr_ar", instructionAr);
    tuple.put("resp_en", turns.responseEn());
    tuple.put("resp_ar", responseAr);
    List<ObjectNode> training = new ArrayList<>();
    if (!turns.systemPointers().isEmpty()) {
      tuple.put("system_en", turns.systemEn());
      tuple.put("system_ar", systemAr);
      both(training, turns.recordId(), "system", turns.systemEn(), systemAr);
    }
    both(training, turns.recordId(), "instruction", turns.instructionEn(), instructionAr);
    both(training, turns.recordId(), "response", turns.responseEn(), responseAr);
    return new Built(tuple, training, "");
  }

  private void both(List<ObjectNode> out, String id, String part, String en, String ar) {
    out.add(chat(id, part, "en-ar", enToAr.render(en), ar));
    out.add(chat(id, part, "ar-en", arToEn.render(ar), en));
  }

  private ObjectNode chat(
      String recordId, String part, String direction, String prompt, String answer) {
    ObjectNode record = RecordJson.MAPPER.createObjectNode();
    record.put("id", recordId + "/" + part + "/" + direction);
    record.put("record_id", recordId);
    record.put("part", part);
    record.put("direction", direction);
    ArrayNode messages = record.putArray("messages");
    if (!translatorSystem.isEmpty()) {
      messages.addObject().put("role", "system").put("content", translatorSystem);
    }
    messages.addObject().put("role", "user").put("content", prompt);
    messages.addObject().put("role", "assistant").put("content", answer);
    return record;
  }

  /** The translated texts at {@code pointers}, joined; null when one is missing. */
  private static String arabic(JsonNode translated, List<String> pointers) {
    List<String> texts = new ArrayList<>();
    for (String pointer : pointers) {
      JsonNode node = JsonPointers.at(translated, pointer);
      if (!node.isTextual()) {
        return null;
      }
      texts.add(node.textValue());
    }
    return String.join("\n\n", texts);
  }
}
