package dev.tarjama.transforms.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/**
 * The column type of an output file, inferred from JSON rows and merged over every row of a file
 * set, so that each file has one schema however its rows differ (issue: "one stable schema per
 * file").
 *
 * <p>Rules, in the order they apply:
 *
 * <ul>
 *   <li>null merges with anything (every column is nullable); a column that is null in every row
 *       is a string column;
 *   <li>integers and decimals together are decimals (double);
 *   <li>lists merge their elements; objects merge their fields (a field missing from a row is
 *       null there), in the order of the earliest position a field held in any row, then by name
 *       (the same schema whatever order the rows were merged in);
 *   <li>a value whose type differs between rows (a string here, a list there), an object with a
 *       key that is not an identifier ({@code [A-Za-z_][A-Za-z0-9_]*}, as Avro and so Parquet
 *       column names require) and an empty object become a {@code json} column: the value's JSON
 *       text, in every row of that file set.
 * </ul>
 *
 * <p>{@link #conform} turns a row into exactly this shape (what JSON Lines writes, so a sampling
 * reader sees every column in the first row), {@link #avroSchema} and {@link #avroValue} are what
 * Parquet writes. The type travels as JSON ({@link #toJson}, {@link #fromJson}).
 */
public final class RowType implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final JsonNodeFactory NODES = RecordJson.MAPPER.getNodeFactory();

  /** What a column holds. */
  public enum Kind {
    NULL, BOOLEAN, LONG, DOUBLE, STRING, LIST, STRUCT, JSON
  }

  /** A field of a struct: its name, type and the earliest position it held in a row. */
  public record Field(String name, RowType type, int position) implements Serializable {}

  public static final RowType NULL = new RowType(Kind.NULL, null, List.of());
  public static final RowType BOOLEAN = new RowType(Kind.BOOLEAN, null, List.of());
  public static final RowType LONG = new RowType(Kind.LONG, null, List.of());
  public static final RowType DOUBLE = new RowType(Kind.DOUBLE, null, List.of());
  public static final RowType STRING = new RowType(Kind.STRING, null, List.of());
  public static final RowType JSON = new RowType(Kind.JSON, null, List.of());

  private final Kind kind;
  private final RowType element;
  private final List<Field> fields;

  private RowType(Kind kind, RowType element, List<Field> fields) {
    this.kind = kind;
    this.element = element;
    this.fields = fields;
  }

  public static RowType list(RowType element) {
    return new RowType(Kind.LIST, element, List.of());
  }

  /** A struct of these fields, in this order. */
  public static RowType struct(Map<String, RowType> fields) {
    List<Field> list = new ArrayList<>();
    int position = 0;
    for (Map.Entry<String, RowType> e : fields.entrySet()) {
      list.add(new Field(e.getKey(), e.getValue(), position++));
    }
    return new RowType(Kind.STRUCT, null, List.copyOf(list));
  }

  public Kind kind() {
    return kind;
  }

  public RowType element() {
    return element;
  }

  public List<Field> fields() {
    return fields;
  }

  /**
   * Whether {@code name} can be a column name as it is: {@code [A-Za-z_][A-Za-z0-9_]*}, checked
   * char by char (every key of every output row is checked, more than once).
   */
  public static boolean isIdentifier(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
      if (!letter && (i == 0 || c < '0' || c > '9')) {
        return false;
      }
    }
    return true;
  }

  /** {@link #isIdentifier} as the pattern it implements (for tests). */
  static boolean matchesIdentifierPattern(String name) {
    return IDENTIFIER.matcher(name).matches();
  }

  /**
   * {@link #of} the JSON value {@code json} holds, read token by token without building its tree
   * (a file set's type is merged from every row, whose long texts need not be decoded for it).
   * Anything this reader does not expect (not JSON, trailing text) is left to {@code of(parse)},
   * which then gives the same type or the same error.
   */
  public static RowType ofJson(String json) throws com.fasterxml.jackson.core.JsonProcessingException {
    try (com.fasterxml.jackson.core.JsonParser p =
        RecordJson.MAPPER.getFactory().createParser(json)) {
      if (p.nextToken() != null) {
        RowType type = read(p);
        if (p.nextToken() == null) {
          return type;
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // left to the tree below
    }
    return of(RecordJson.parse(json));
  }

  /** The type of the value at the parser's current token; leaves the parser on its last token. */
  private static RowType read(com.fasterxml.jackson.core.JsonParser p) throws java.io.IOException {
    switch (p.currentToken()) {
      case VALUE_NULL:
        return NULL;
      case VALUE_TRUE:
      case VALUE_FALSE:
        return BOOLEAN;
      case VALUE_NUMBER_INT:
        // The tree holds an int or long (LONG) unless the number is past a long (DOUBLE).
        return p.getNumberType() == com.fasterxml.jackson.core.JsonParser.NumberType.BIG_INTEGER
            ? DOUBLE : LONG;
      case VALUE_NUMBER_FLOAT:
        return DOUBLE;
      case VALUE_STRING:
        return STRING;
      case START_ARRAY:
        {
          RowType merged = NULL;
          while (p.nextToken() != com.fasterxml.jackson.core.JsonToken.END_ARRAY) {
            merged = merged.merge(read(p));
          }
          return list(merged);
        }
      case START_OBJECT:
        {
          List<Field> list = new ArrayList<>();
          boolean json = false;
          int position = 0;
          while (p.nextToken() != com.fasterxml.jackson.core.JsonToken.END_OBJECT) {
            String name = p.currentName();
            p.nextToken();
            if (json || !isIdentifier(name)) {
              json = true;
              p.skipChildren();
            } else {
              list.add(new Field(name, read(p), position++));
            }
          }
          if (json || list.isEmpty()) {
            return JSON;
          }
          list.sort(FIELD_ORDER);
          return new RowType(Kind.STRUCT, null, List.copyOf(list));
        }
      default:
        throw new IllegalArgumentException("unexpected token " + p.currentToken());
    }
  }

  /** The type of one JSON value. */
  public static RowType of(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return NULL;
    }
    if (value.isBoolean()) {
      return BOOLEAN;
    }
    if (value.isIntegralNumber()) {
      return value.canConvertToLong() ? LONG : DOUBLE;
    }
    if (value.isNumber()) {
      return DOUBLE;
    }
    if (value.isTextual()) {
      return STRING;
    }
    if (value.isArray()) {
      RowType merged = NULL;
      for (JsonNode e : value) {
        merged = merged.merge(of(e));
      }
      return list(merged);
    }
    if (value.isObject()) {
      if (value.isEmpty()) {
        return JSON;
      }
      List<Field> list = new ArrayList<>();
      int position = 0;
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!isIdentifier(e.getKey())) {
          return JSON;
        }
        list.add(new Field(e.getKey(), of(e.getValue()), position++));
      }
      list.sort(FIELD_ORDER);
      return new RowType(Kind.STRUCT, null, List.copyOf(list));
    }
    return JSON;
  }

  private static final Comparator<Field> FIELD_ORDER =
      Comparator.comparingInt(Field::position).thenComparing(Field::name);

  /** The type that holds the values of both (commutative and associative). */
  public RowType merge(RowType other) {
    if (other.kind == Kind.NULL || this.equals(other)) {
      return this;
    }
    if (kind == Kind.NULL) {
      return other;
    }
    if ((kind == Kind.LONG && other.kind == Kind.DOUBLE)
        || (kind == Kind.DOUBLE && other.kind == Kind.LONG)) {
      return DOUBLE;
    }
    if (kind != other.kind || kind == Kind.JSON) {
      return JSON;
    }
    if (kind == Kind.LIST) {
      return list(element.merge(other.element));
    }
    if (kind == Kind.STRUCT) {
      Map<String, Field> byName = new HashMap<>();
      for (Field f : fields) {
        byName.put(f.name, f);
      }
      for (Field f : other.fields) {
        Field mine = byName.get(f.name);
        byName.put(f.name, mine == null ? f
            : new Field(f.name, mine.type.merge(f.type), Math.min(mine.position, f.position)));
      }
      List<Field> list = new ArrayList<>(byName.values());
      list.sort(FIELD_ORDER);
      return new RowType(Kind.STRUCT, null, List.copyOf(list));
    }
    return this; // same primitive kind
  }

  /** The type as files store it: a column null in every row is a string column. */
  public RowType finish() {
    switch (kind) {
      case NULL:
        return STRING;
      case LIST:
        return list(element.finish());
      case STRUCT:
        {
          List<Field> list = new ArrayList<>();
          for (Field f : fields) {
            list.add(new Field(f.name, f.type.finish(), f.position));
          }
          return new RowType(Kind.STRUCT, null, List.copyOf(list));
        }
      default:
        return this;
    }
  }

  /** The top-level column names of a struct type, in file order. */
  public List<String> columns() {
    return fields.stream().map(Field::name).toList();
  }

  /**
   * {@code value} in exactly this (finished) shape: every field of a struct present, in order
   * (null where the row has none), a {@code json} column as the value's JSON text, integers in a
   * double column as doubles.
   */
  public JsonNode conform(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return NullNode.getInstance();
    }
    switch (kind) {
      case JSON:
        return TextNode.valueOf(RecordJson.print(value));
      case STRING:
        return value.isTextual() ? value : TextNode.valueOf(RecordJson.print(value));
      case DOUBLE:
        // Integers become doubles; decimals keep their digits (1.50 stays 1.50 in JSON Lines).
        return value.isIntegralNumber() ? DoubleNode.valueOf(value.doubleValue()) : value;
      case LIST:
        {
          ArrayNode array = NODES.arrayNode();
          for (JsonNode e : value) {
            array.add(element.conform(e));
          }
          return array;
        }
      case STRUCT:
        {
          ObjectNode object = NODES.objectNode();
          for (Field f : fields) {
            object.set(f.name, f.type.conform(value.get(f.name)));
          }
          return object;
        }
      default:
        return value;
    }
  }

  /** The Avro schema Parquet is written with: every column nullable. */
  public Schema avroSchema(String recordName) {
    return avro(recordName, new HashMap<>(), true);
  }

  private Schema avro(String name, Map<String, Integer> names, boolean top) {
    Schema schema;
    switch (kind) {
      case BOOLEAN -> schema = Schema.create(Schema.Type.BOOLEAN);
      case LONG -> schema = Schema.create(Schema.Type.LONG);
      case DOUBLE -> schema = Schema.create(Schema.Type.DOUBLE);
      case LIST -> schema = Schema.createArray(element.avro(name + "_element", names, false));
      case STRUCT -> {
        int seen = names.merge(name, 1, Integer::sum);
        String unique = seen == 1 ? name : name + "_" + seen;
        List<Schema.Field> list = new ArrayList<>();
        for (Field f : fields) {
          list.add(new Schema.Field(
              f.name, f.type.avro(unique + "_" + f.name, names, false), null,
              Schema.Field.NULL_DEFAULT_VALUE));
        }
        schema = Schema.createRecord(unique, null, "dev.tarjama.output", false, list);
      }
      default -> schema = Schema.create(Schema.Type.STRING); // STRING, JSON, NULL
    }
    return top ? schema : Schema.createUnion(Schema.create(Schema.Type.NULL), schema);
  }

  /** A {@link #conform conformed} value as Parquet's Avro writer takes it. */
  public static Object avroValue(JsonNode value, Schema schema) {
    if (value == null || value.isNull()) {
      return null;
    }
    if (schema.getType() == Schema.Type.UNION) {
      return avroValue(value, schema.getTypes().get(1));
    }
    switch (schema.getType()) {
      case RECORD:
        {
          GenericData.Record record = new GenericData.Record(schema);
          for (Schema.Field f : schema.getFields()) {
            record.put(f.pos(), avroValue(value.get(f.name()), f.schema()));
          }
          return record;
        }
      case ARRAY:
        {
          List<Object> list = new ArrayList<>(value.size());
          for (JsonNode e : value) {
            list.add(avroValue(e, schema.getElementType()));
          }
          return list;
        }
      case BOOLEAN:
        return value.booleanValue();
      case LONG:
        return value.longValue();
      case DOUBLE:
        return value.doubleValue();
      default:
        return value.asText();
    }
  }

  /** This type as JSON: {@code "string"}, {@code {"list": T}}, {@code {"struct": [[name, T, pos]…]}}. */
  public JsonNode toJson() {
    switch (kind) {
      case LIST:
        {
          ObjectNode node = NODES.objectNode();
          node.set("list", element.toJson());
          return node;
        }
      case STRUCT:
        {
          ObjectNode node = NODES.objectNode();
          ArrayNode list = node.putArray("struct");
          for (Field f : fields) {
            list.addArray().add(f.name).add(f.type.toJson()).add(f.position);
          }
          return node;
        }
      default:
        return TextNode.valueOf(kind.name().toLowerCase(java.util.Locale.ROOT));
    }
  }

  public static RowType fromJson(JsonNode node) {
    if (node.isTextual()) {
      return switch (node.asText()) {
        case "null" -> NULL;
        case "boolean" -> BOOLEAN;
        case "long" -> LONG;
        case "double" -> DOUBLE;
        case "string" -> STRING;
        case "json" -> JSON;
        default -> throw new IllegalArgumentException("unknown column type " + node);
      };
    }
    if (node.has("list")) {
      return list(fromJson(node.get("list")));
    }
    List<Field> list = new ArrayList<>();
    for (JsonNode f : node.get("struct")) {
      list.add(new Field(f.get(0).asText(), fromJson(f.get(1)), f.get(2).asInt()));
    }
    return new RowType(Kind.STRUCT, null, List.copyOf(list));
  }

  /** A struct of {@code fields} given as name → type, in order (for fixed output schemas). */
  public static RowType structOf(Object... namesAndTypes) {
    Map<String, RowType> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndTypes.length; i += 2) {
      map.put((String) namesAndTypes[i], (RowType) namesAndTypes[i + 1]);
    }
    return struct(map);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RowType t
        && kind == t.kind
        && Objects.equals(element, t.element)
        && fields.equals(t.fields);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, element, fields);
  }

  @Override
  public String toString() {
    return toJson().toString();
  }
}
