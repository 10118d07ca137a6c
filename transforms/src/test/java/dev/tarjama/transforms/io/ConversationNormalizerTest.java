package dev.tarjama.transforms.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.domain.SourceRecord;
import dev.tarjama.transforms.domain.TextField;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Every record of the data kit's chat and instruction files, and each kind of broken record. */
class ConversationNormalizerTest {
  private static final ConversationNormalizer AUTO =
      new ConversationNormalizer(null, null, NormalizeRecords.DEFAULT_SPLIT_FIELD);

  /** Normalizes a whole data-kit file, asserting that reading and normalizing lose nothing. */
  static List<Conversation> normalizeFile(String relative) throws Exception {
    KitReader.Collected read = KitReader.read(relative);
    assertEquals(List.of(), read.deadLetters, relative + " reads without dead letters");
    List<Conversation> conversations = new ArrayList<>();
    List<DeadLetter> deadLetters = new ArrayList<>();
    for (SourceRecord record : read.records) {
      ConversationNormalizer.Result result = AUTO.normalize(record);
      if (result.conversation != null) {
        conversations.add(result.conversation);
        assertEquals(record.json(), result.conversation.json(), "the JSON stays untouched");
        assertEquals(record.recordId(), result.conversation.recordId());
      } else {
        deadLetters.add(result.deadLetter);
      }
    }
    assertEquals(List.of(), deadLetters, relative + " normalizes without dead letters");
    return conversations;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "instruct/smoltalk2_style/think_tools.jsonl, 50, 274, messages",
    "instruct/smoltalk2_style/gsm8k_think.jsonl, 300, 600, messages",
    "instruct/llamafactory/reason_tool_use_demo_50.jsonl, 50, 401, messages",
    "instruct/llamafactory/alpaca_en_demo.json, 999, 2410, alpaca",
    "instruct/llamafactory/dpo_en_demo.json, 300, 1506, sharegpt",
    "instruct/bfcl/BFCL_v4_simple_python.json, 400, 400, messages",
    "instruct/bfcl/BFCL_v4_parallel_multiple.json, 200, 200, messages",
    "instruct/bfcl/BFCL_v4_live_simple.json, 258, 269, messages",
    "instruct/bfcl/BFCL_v4_multi_turn_base.json, 200, 734, messages",
    "instruct/gsm8k/test.jsonl, 1319, 2638, fields",
    "eval/math500/test.jsonl, 500, 1000, fields",
    "instruct/alpaca_seed/seed_tasks.jsonl, 175, 475, alpaca",
  })
  void everyRecordOfTheDataKitNormalizes(String file, int records, int fields, String format)
      throws Exception {
    List<Conversation> conversations = normalizeFile(file);
    assertEquals(records, conversations.size());
    assertEquals(fields, conversations.stream().mapToInt(c -> c.fields().size()).sum());
    for (Conversation c : conversations) {
      assertEquals(format, c.format(), c.recordId());
      assertFalse(c.fields().isEmpty(), c.recordId());
      JsonNode root = RecordJson.parse(c.json());
      Set<String> pointers = new HashSet<>();
      for (TextField f : c.fields()) {
        assertEquals(f.text(), JsonPointers.getString(root, f.pointer()), c.recordId() + " " + f.pointer());
        assertTrue(pointers.add(f.pointer()), "pointer listed twice: " + f.pointer());
        assertTrue(
            Set.of("system", "user", "assistant", "tool", "function_call").contains(f.role()),
            f.role());
        assertFalse(f.text().isBlank(), c.recordId() + " " + f.pointer());
      }
    }
  }

  private static Map<String, Long> count(List<Conversation> cs, java.util.function.Function<TextField, String> key) {
    return cs.stream()
        .flatMap(c -> c.fields().stream())
        .collect(Collectors.groupingBy(key, TreeMap::new, Collectors.counting()));
  }

  @Test
  void typedPartsKeepTheirKinds() throws Exception {
    List<Conversation> cs = normalizeFile("instruct/llamafactory/reason_tool_use_demo_50.jsonl");
    // The data kit README: 112 reasoning parts, 68 tool calls, 42 tool results, 50 system prompts.
    assertEquals(Map.of("reasoning", 112L, "tool_call", 68L, "text", 221L), count(cs, f -> f.kind()));
    assertEquals(42L, count(cs, f -> f.role()).get("tool"));
    assertEquals(50L, count(cs, f -> f.role()).get("system"));
    TextField reasoning =
        cs.get(0).fields().stream().filter(f -> f.kind().equals("reasoning")).findFirst().orElseThrow();
    assertEquals("/messages/2/content/0/value", reasoning.pointer());
    assertEquals("assistant", reasoning.role());
    assertEquals("reason_tool_use_demo_50", cs.get(0).split());
  }

  @Test
  void smolTalk2RecordsSplitBySourceAndCarryTheirSystemPromptInKwargs() throws Exception {
    List<Conversation> think = normalizeFile("instruct/smoltalk2_style/gsm8k_think.jsonl");
    assertEquals(
        Map.of("gsm8k_think", 150L, "gsm8k_no_think", 150L),
        think.stream().collect(Collectors.groupingBy(c -> c.split(), Collectors.counting())));
    List<Conversation> tools = normalizeFile("instruct/smoltalk2_style/think_tools.jsonl");
    TextField first = tools.get(0).fields().get(0);
    assertEquals("/chat_template_kwargs/custom_instructions", first.pointer());
    assertEquals("system", first.role());
    assertEquals(Map.of("system", 50L, "user", 70L, "assistant", 112L, "tool", 42L),
        count(tools, f -> f.role()));
  }

  @Test
  void shareGptPreferenceRecordsListSystemTurnsAndBothAnswers() throws Exception {
    List<Conversation> cs = normalizeFile("instruct/llamafactory/dpo_en_demo.json");
    Map<String, Long> roles = count(cs, f -> f.role());
    assertEquals(80L, roles.get("system"));
    assertEquals(563L, roles.get("user"));
    assertEquals(263L + 600L, roles.get("assistant"));
    assertEquals(300, cs.stream().filter(c -> c.fields().stream().anyMatch(f -> f.pointer().equals("/chosen/value"))).count());
    assertEquals("dpo_en_demo.json#0", cs.get(0).recordId());
    assertEquals("dpo_en_demo", cs.get(0).split());
  }

  @Test
  void flatRecordsLeaveTheirOtherFieldsAlone() throws Exception {
    List<Conversation> math = normalizeFile("eval/math500/test.jsonl");
    assertEquals(Set.of("/problem", "/solution"),
        math.stream().flatMap(c -> c.fields().stream()).map(f -> f.pointer()).collect(Collectors.toSet()));
    List<Conversation> seed = normalizeFile("instruct/alpaca_seed/seed_tasks.jsonl");
    assertEquals(
        Map.of("/instruction", 175L, "/instances/0/input", 125L, "/instances/0/output", 175L),
        count(seed, f -> f.pointer()));
    List<Conversation> bfcl = normalizeFile("instruct/bfcl/BFCL_v4_multi_turn_base.json");
    assertEquals("/question/3/0/content", bfcl.get(0).fields().get(3).pointer());
  }

  // ---- broken records ----------------------------------------------------------------------

  private static DeadLetter deadLetter(ConversationNormalizer normalizer, String json) {
    ConversationNormalizer.Result r = normalizer.normalize(new SourceRecord("f.jsonl:1", "f.jsonl", 1, json));
    assertNull(r.conversation, json);
    assertNotNull(r.deadLetter);
    assertEquals("normalize", r.deadLetter.stage());
    assertEquals(json, r.deadLetter.original());
    assertEquals("f.jsonl:1", r.deadLetter.recordId());
    return r.deadLetter;
  }

  private static Conversation conversation(ConversationNormalizer normalizer, String json) {
    ConversationNormalizer.Result r = normalizer.normalize(new SourceRecord("f.jsonl:1", "dir/f.jsonl", 1, json));
    assertNull(r.deadLetter, () -> r.deadLetter.toString());
    return r.conversation;
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"text\":\"hello\"}|no messages/conversations/instruction field|''",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":\"b\"},{\"role\":\"user\",\"content\":42}]}|content is a number|/messages/2/content",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"\"}]}|empty content and no tool_calls|/messages/0/content",
        "{\"messages\":[{\"role\":\"assistant\"}]}|content missing and no tool_calls|/messages/0/content",
        "{\"messages\":[]}|empty messages list|/messages",
        "{\"messages\":{\"role\":\"user\"}}|expected a list of messages, found an object|/messages",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"content\":\"b\"}]}|role missing|/messages/1/role",
        "{\"messages\":[{\"role\":\"narrator\",\"content\":\"a\"}]}|unknown role 'narrator'|/messages/0/role",
        "{\"messages\":[\"hi\"]}|a message must be an object, found a string|/messages/0",
        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"value\":3}]}]}|expected a string, found a number|/messages/0/content/0/value",
        "{\"question\":[[{\"role\":\"user\",\"content\":\"a\"}],[]]}|empty messages list|/question/1",
        "{\"conversations\":[{\"from\":\"human\",\"value\":\"a\"},{\"from\":\"gpt\",\"value\":\"\"}]}|empty text|/conversations/1/value",
        "{\"conversations\":[{\"value\":\"a\"}]}|role missing|/conversations/0/from",
        "{\"instruction\":\"a\",\"input\":\"\",\"output\":[1]}|expected a string, found a list|/output",
        "{\"instruction\":\"a\"}|output missing|/output",
        "{\"question\":\"Which?\",\"choices\":[\"a\",\"b\"],\"answer\":1}|no known field pair (keys: question, choices, answer)|''",
      })
  void brokenRecordsAreNamedDeadLetters(String json, String error, String pointer) {
    DeadLetter d = deadLetter(AUTO, json);
    assertEquals(pointer, d.field(), d.error());
    assertTrue(d.error().contains(error), d.error());
    assertTrue(pointer.isEmpty() || d.error().startsWith(pointer + ": "), d.error());
  }

  @Test
  void assistantToolCallsMayHaveNoContent() {
    Conversation c =
        conversation(
            AUTO,
            "{\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"},"
                + "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"id\":\"1\",\"type\":\"function\",\"function\":{\"name\":\"w\",\"arguments\":\"{}\"}}]},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"2\"}]},"
                + "{\"role\":\"tool\",\"content\":\"sunny\"}],\"tools\":[]}");
    assertEquals(
        List.of(
            new TextField("/messages/0/content", "user", "text", "weather?"),
            new TextField("/messages/3/content", "tool", "text", "sunny")),
        c.fields());
    assertEquals("f", c.split());
  }

  @Test
  void openAiTextPartsAndNonTextParts() {
    Conversation c =
        conversation(
            AUTO,
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"u\"}},"
                + "{\"type\":\"text\",\"text\":\"What is this?\"}]}]}");
    assertEquals(
        List.of(new TextField("/messages/0/content/1/text", "user", "text", "What is this?")),
        c.fields());
  }

  @Test
  void smolTalk2PreferenceShape() {
    Conversation c =
        conversation(
            AUTO,
            "{\"prompt\":\"Hi\",\"chosen\":[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello!\"}],"
                + "\"rejected\":[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Go away\"}],"
                + "\"chat_template_kwargs\":{\"custom_instructions\":\"\",\"enable_thinking\":false},\"source\":\"tulu\"}");
    assertEquals("messages", c.format());
    assertEquals("tulu", c.split());
    assertEquals(
        List.of("/prompt", "/chosen/0/content", "/chosen/1/content", "/rejected/0/content", "/rejected/1/content"),
        c.fields().stream().map(f -> f.pointer()).toList());
  }

  @Test
  void shareGptFunctionCallsObservationsAndSystem() {
    Conversation c =
        conversation(
            AUTO,
            "{\"system\":\"Be brief.\",\"tools\":\"[]\",\"conversations\":["
                + "{\"from\":\"human\",\"value\":\"Weather?\"},{\"from\":\"function_call\",\"value\":\"{\\\"name\\\":\\\"w\\\"}\"},"
                + "{\"from\":\"observation\",\"value\":\"sunny\"},{\"from\":\"gpt\",\"value\":\"Sunny.\"}]}");
    assertEquals(
        List.of(
            new TextField("/system", "system", "text", "Be brief."),
            new TextField("/conversations/0/value", "user", "text", "Weather?"),
            new TextField("/conversations/1/value", "function_call", "tool_call", "{\"name\":\"w\"}"),
            new TextField("/conversations/2/value", "tool", "text", "sunny"),
            new TextField("/conversations/3/value", "assistant", "text", "Sunny.")),
        c.fields());
  }

  @Test
  void alpacaWithSystemAndHistory() {
    Conversation c =
        conversation(
            AUTO,
            "{\"instruction\":\"Add.\",\"input\":\"2+2\",\"output\":\"4\",\"system\":\"Math.\",\"history\":[[\"1+1?\",\"2\"]]}");
    assertEquals(
        List.of("/system", "/history/0/0", "/history/0/1", "/instruction", "/input", "/output"),
        c.fields().stream().map(f -> f.pointer()).toList());
    assertEquals(List.of("system", "user", "assistant", "user", "user", "assistant"),
        c.fields().stream().map(f -> f.role()).toList());
  }

  @Test
  void openOrcaAndCustomMappings() {
    Conversation orca =
        conversation(AUTO, "{\"id\":\"niv.1\",\"system_prompt\":\"\",\"question\":\"Q\",\"response\":\"R\"}");
    assertEquals(List.of(new TextField("/question", "user", "field", "Q"),
        new TextField("/response", "assistant", "field", "R")), orca.fields());

    ConversationNormalizer mapped =
        new ConversationNormalizer(
            RecordFormat.FIELDS, FieldMapping.parse("q=user, /meta/a~1b=assistant"), "lang");
    Conversation c = conversation(mapped, "{\"q\":\"Why?\",\"meta\":{\"a/b\":\"Because.\"},\"lang\":\"en\"}");
    assertEquals(List.of(new TextField("/q", "user", "field", "Why?"),
        new TextField("/meta/a~1b", "assistant", "field", "Because.")), c.fields());
    assertEquals("en", c.split());
    DeadLetter missing = deadLetter(mapped, "{\"q\":\"Why?\"}");
    assertEquals("/meta/a~1b", missing.field());
    assertTrue(missing.error().contains("mapped field missing"), missing.error());
  }

  @Test
  void aForcedFormatRejectsRecordsOfAnother() {
    ConversationNormalizer sharegpt =
        new ConversationNormalizer(RecordFormat.SHAREGPT, null, "source");
    DeadLetter d = deadLetter(sharegpt, "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}");
    assertEquals("no conversations field", d.error());
  }
}
