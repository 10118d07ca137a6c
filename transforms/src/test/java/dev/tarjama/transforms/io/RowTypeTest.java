package dev.tarjama.transforms.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
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
}
