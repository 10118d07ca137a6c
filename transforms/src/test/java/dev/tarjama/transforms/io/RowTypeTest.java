package dev.tarjama.transforms.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.models.testing.DataKit;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** The merge rules of output schemas, and that a merge does not depend on row order. */
class RowTypeTest {
  private static JsonNode json(String text) throws Exception {
    return RecordJson.parse(text);
  }

  private static RowType merged(List<String> rows) throws Exception {
    RowType type = RowType.NULL;
    for (String row : rows) {
      type = type.merge(RowType.of(json(row)));
    }
    return type.finish();
  }

  @Test
  void rowsMergeIntoOneSchemaWhateverTheirOrder() throws Exception {
    List<String> rows = new ArrayList<>(List.of(
        "{\"a\":1,\"b\":[],\"c\":null}",
        "{\"a\":2.5,\"b\":[{\"x\":\"s\"}],\"d\":{\"k\":true}}",
        "{\"b\":[{\"y\":3}],\"e\":\"t\",\"a\":3}",
        "{\"a\":4,\"e\":[1]}",
        "{\"f\":{},\"g\":{\"not-a-name\":1},\"h\":{\"ok\":1}}"));
    RowType first = merged(rows);
    Random random = new Random(7);
    for (int i = 0; i < 20; i++) {
      Collections.shuffle(rows, random);
      assertEquals(first, merged(rows), "rows in another order: " + rows);
    }
    assertEquals(List.of("a", "b", "f", "e", "g", "c", "d", "h"), first.columns());
    assertEquals(RowType.DOUBLE, field(first, "a"), "integers and decimals: double");
    RowType b = field(first, "b");
    assertEquals(RowType.Kind.LIST, b.kind());
    assertEquals(List.of("x", "y"), b.element().columns(), "fields of every row's elements");
    assertEquals(RowType.LONG, field(b.element(), "y"));
    assertEquals(RowType.STRING, field(first, "c"), "null in every row: a string column");
    assertEquals(RowType.JSON, field(first, "e"), "a string here, a list there: JSON text");
    assertEquals(RowType.JSON, field(first, "f"), "an empty object: JSON text");
    assertEquals(RowType.JSON, field(first, "g"), "keys that are no column names: JSON text");
    assertEquals(RowType.fromJson(first.toJson()), first);
  }

  @Test
  void conformedRowsHaveEveryColumnAndParquetValuesOfTheColumnType() throws Exception {
    RowType type = merged(List.of("{\"a\":1,\"e\":\"t\",\"n\":1.50}", "{\"e\":[1],\"a\":2.5}"));
    JsonNode row = type.conform(json("{\"e\":\"t\",\"a\":1,\"n\":1.50}"));
    assertEquals("{\"a\":1.0,\"e\":\"\\\"t\\\"\",\"n\":1.50}", RecordJson.print(row));
    assertEquals("{\"a\":null,\"e\":\"[1]\",\"n\":null}",
        RecordJson.print(type.conform(json("{\"e\":[1]}"))));

    Schema schema = type.avroSchema("row");
    GenericRecord record = (GenericRecord) RowType.avroValue(row, schema);
    assertEquals(1.0, record.get("a"));
    assertEquals("\"t\"", record.get("e"));
  }

  private static RowType field(RowType struct, String name) {
    return struct.fields().stream().filter(f -> f.name().equals(name)).findFirst()
        .orElseThrow().type();
  }

  @Test
  void isIdentifierIsItsPattern() {
    List<String> names = new ArrayList<>(List.of("", "a", "_", "A_1", "1a", "a-b", "a b", "é",
        "x٣", "__init__", "camelCase", "snake_case_2", "a.b", "\u0000"));
    for (char c = 0; c < 0x3000; c++) {
      names.add(String.valueOf(c));
      names.add("a" + c);
      names.add(c + "a");
    }
    for (String name : names) {
      assertEquals(RowType.matchesIdentifierPattern(name), RowType.isIdentifier(name), name);
    }
  }

  private static final List<String> EDGE_ROWS = List.of(
      "{\"a\":1,\"b\":[],\"c\":null}", "{\"f\":{},\"g\":{\"not-a-name\":1,\"h\":[1]},\"ok\":1}",
      "{\"n\":[12345678901234567890,-9223372036854775808,9223372036854775807]}",
      "{\"n\":9223372036854775808,\"m\":-9223372036854775809,\"k\":2147483648}",
      "{\"d\":1e400,\"e\":-0,\"f\":-0.0,\"g\":1.0E-5,\"h\":[1,2.5],\"i\":[1,\"a\"]}",
      "{\"l\":[[],[null],[[1]],[{\"a\":1},{\"b\":\"x\"}]],\"t\":true,\"u\":false}",
      "{\"z\":{\"a\":{\"b\":{}}},\"y\":{\"2x\":{\"deep\":[1,2]},\"later\":{\"q\":1}}}",
      "{}", "[]", "[1,{\"a\":2}]", "5", "\"text\"", "null", "true", "2.5",
      "  {\"a\" : \"\\u00e9\\n\\ud83d\\ude00\" }  ");

  @Test
  void theTypeReadTokenByTokenIsTheTypeOfTheTree() throws Exception {
    List<String> rows = new ArrayList<>(EDGE_ROWS);
    try (Stream<Path> files = Files.walk(DataKit.data())) {
      for (Path f : files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()) {
        rows.addAll(Files.readAllLines(f, StandardCharsets.UTF_8).stream()
            .filter(l -> !l.isBlank()).limit(300).toList());
      }
    }
    assertTrue(rows.size() > 1000, "rows: " + rows.size());
    for (String row : rows) {
      assertEquals(RowType.of(json(row)), RowType.ofJson(row), row);
    }
    for (String bad : List.of("{\"a\":1,\"a\":2}", "{\"a\":1} x", "{\"a\":", "", "nope")) {
      Exception tree = null;
      try {
        RowType.of(json(bad));
      } catch (Exception e) {
        tree = e;
      }
      Exception tokens = null;
      RowType type = null;
      try {
        type = RowType.ofJson(bad);
      } catch (Exception e) {
        tokens = e;
      }
      if (tree == null) {
        assertEquals(RowType.of(json(bad)), type, bad);
      } else {
        assertEquals(tree.getClass(), tokens == null ? null : tokens.getClass(), bad);
      }
    }
  }

  @Test
  void keysAreColumnNamesWhereColumnNamesLeavesTheRowAsItIs() throws Exception {
    List<String> rows = new ArrayList<>(EDGE_ROWS);
    rows.addAll(List.of("{\"my-field\":1}", "{\"a\":1,\"1b\":2}", "{\"a\":{\"x-y\":1}}",
        "{\"a\":1} {}", "{\"a\":1,\"a\":1}", "{\"a\":[1,{\"b\":[{}]}],\"c\":\"}\"}"));
    for (String row : rows) {
      boolean expected;
      try {
        JsonNode node = json(row);
        expected = node.isObject()
            && WriteOutputs.columnNames((com.fasterxml.jackson.databind.node.ObjectNode) node) == node;
      } catch (Exception e) {
        expected = false;
      }
      assertEquals(expected, WriteOutputs.keysAreColumnNames(row), row);
    }
  }
}
