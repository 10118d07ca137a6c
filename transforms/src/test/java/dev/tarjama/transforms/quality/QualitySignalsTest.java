package dev.tarjama.transforms.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.domain.QualityMeasures.Measure;
import dev.tarjama.models.testing.DataKit;
import org.junit.jupiter.api.Test;

/** Each signal on what it must catch and on what it must let through. */
class QualitySignalsTest {
  static final double R0 = 0.8166;
  private static Measure measure(QualitySignal s, String source, String target) {
    return s.measure(new QualityInput("chat", source, target));
  }

  private static boolean fails(QualitySignal s, String source, String target) {
    Measure m = measure(s, source, target);
    return QualityPolicy.defaults().fails(s.spec(), m, "chat");
  }

  @Test
  void repetitionCatchesCharacterWordAndPhraseLoopsButNotTheSourcesOwn() {
    RepetitionSignal s = new RepetitionSignal();
    String en = "She bought apples and pears at the market.";
    assertTrue(fails(s, en, "اشترت تفاحاً وكيكيكيكيكيكيكيكي"));
    assertTrue(fails(s, en, "اشترت تفاحاً السوق السوق السوق السوق السوق السوق"));
    assertTrue(fails(s, en, "اشترت تفاحاً من السوق من السوق من السوق من السوق من السوق"));
    assertFalse(fails(s, en, "اشترت تفاحاً وإجاصاً من السوق."));
    assertFalse(fails(s, "Ha ha ha ha ha ha!", "ها ها ها ها ها ها!"), "the source loops as much");
    assertFalse(fails(s, en, "اشترت تفاحاً ـــــــــــ من السوق"), "tatweel is no loop");
    Measure m = measure(s, en, "اشترت كيكيكيكيكيكيكيكي");
    assertTrue(m.detail().contains("'كي'"), m.detail());
  }

  @Test
  void compressionCatchesALongLoopThatIsNotBackToBack() {
    String en = "The city council met on Tuesday to discuss the new budget, which includes funds "
        + "for parks, schools and public transport, as well as a plan to repair old bridges "
        + "before the winter storms arrive in the region.";
    String ar = "اجتمع مجلس المدينة يوم الثلاثاء لمناقشة الميزانية الجديدة التي تشمل أموالاً "
        + "للحدائق والمدارس والنقل العام، إضافة إلى خطة لإصلاح الجسور القديمة قبل وصول عواصف "
        + "الشتاء إلى المنطقة.";
    String loop = "اجتمع مجلس المدينة يوم الثلاثاء. ناقش الميزانية. ".repeat(3)
        + "ثم اجتمع المجلس مرة أخرى. اجتمع مجلس المدينة يوم الثلاثاء. ناقش الميزانية. ".repeat(3);
    CompressionSignal s = new CompressionSignal();
    assertFalse(fails(s, en, ar), measure(s, en, ar).detail());
    assertTrue(fails(s, en, loop), measure(s, en, loop).detail());
    assertFalse(measure(s, "Short.", "قصير.").judged());
  }

  @Test
  void untranslatedCatchesCopiesAndEnglishHalvesButNotNamesOrIdentifiers() {
    UntranslatedSignal share = new UntranslatedSignal();
    UntranslatedRunSignal run = new UntranslatedRunSignal();
    String en = "I think that we should leave early tomorrow because the roads will be busy.";
    assertTrue(fails(share, en, en), "an English copy");
    assertTrue(fails(share, "I'm hungry.", "I'm hungry."), "a short copy");
    String half = "أعتقد أننا يجب أن نغادر مبكراً غداً because the roads will be busy.";
    assertTrue(fails(share, en, half) || fails(run, en, half));
    assertFalse(fails(share, "Tom went to Paris with Mary.", "ذهب Tom إلى Paris مع Mary."));
    assertFalse(fails(run, "Tom went to Paris with Mary.", "ذهب Tom إلى Paris مع Mary."));
    String tool = "Call get_weather for Berlin and convertCurrency for USD to EUR.";
    String toolAr = "استدعِ get_weather لبرلين و convertCurrency من USD إلى EUR.";
    assertFalse(fails(share, tool, toolAr));
    assertFalse(fails(run, tool, toolAr));
  }

  @Test
  void numbersAreNormalizedAcrossDigitSystemsAndSeparators() {
    NumbersSignal s = new NumbersSignal();
    assertFalse(fails(s, "It costs 1,000.5 dollars and 3 cents.", "يكلف ١٬٠٠٠٫٥ دولار و۳ سنتات."));
    assertFalse(fails(s, "The rate is 3,5 percent.", "النسبة 3.5 بالمئة."), "decimal comma");
    assertFalse(fails(s, "In 1620-21 about 2.7 million people lived there.",
        "في الفترة 1620–1621 عاش هناك نحو 2,700,000 شخص."));
    assertFalse(fails(s, "Who won Super Bowl XLIX in the 19th century?",
        "من فاز بالسوبر بول 49 في القرن التاسع عشر؟"));
    assertFalse(fails(s, "He has three cats.", "لديه 3 قطط."), "a number word written as digits");
  }

  @Test
  void numbersCatchAChangedCalculatorResultAndNumbersFromNowhere() {
    NumbersSignal s = new NumbersSignal();
    // GSM8K "<<300+200+500=1000>>1000": the mark is a protected span, the prose keeps 1000.
    Measure m = measure(s, "So she paid  1000 dollars in total.", "إذن دفعت  0000013 دولار إجمالاً.");
    assertTrue(QualityPolicy.defaults().fails(s.spec(), m, "gsm8k"), m.toString());
    assertEquals("missing 1000; extra 13", m.detail());
    assertTrue(fails(s, "She is happy.", "هي سعيدة 7."), "a number from nowhere");
    assertTrue(fails(s, "It was built in 1999.", "بُني عام 2010."));
    assertFalse(fails(s, "It has 5 rooms and 2 doors.", "فيه 5 غرف."), "one dropped number is tolerated");
    assertFalse(measure(s, "No digits here.", "لا أرقام هنا.").judged());
  }

  /** {@code s} on {@code in} on a thread of its own, where nothing measured before is kept. */
  private static Measure onAFreshThread(QualitySignal s, QualityInput in) throws Exception {
    java.util.concurrent.atomic.AtomicReference<Measure> out =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread t = new Thread(() -> out.set(s.measure(in)));
    t.start();
    t.join();
    return out.get();
  }

  @Test
  void numbersMeasureTheSameWhenTheSourceSideIsKept() throws Exception {
    NumbersSignal s = new NumbersSignal();
    String source = "Three of the 12 DVB-S2 boxes cost 2.7 million in Super Bowl XLIX, 5 km2 away.";
    String[] targets = {"ثلاثة من 12 صندوق DVB-S2 كلفت 2,700,000 في السوبر بول 49، على بعد 5 كم2.",
        "3 من 12 صندوق كلفت 2.7 مليون في 49 على بعد 5 كم 2 و 3.",
        "من الصناديق 12 كلفت 7 في السوبر بول.", "لا أرقام.", ""};
    java.util.List<QualityInput> inputs = new java.util.ArrayList<>();
    for (int round = 0; round < 2; round++) {
      for (String target : targets) {
        inputs.add(new QualityInput("chat", round == 0 ? source : new String(source), target));
      }
      inputs.add(new QualityInput("chat", "It was built in 1999.", "بُني عام 2010."));
    }
    for (QualityInput in : inputs) {
      assertEquals(onAFreshThread(s, in), s.measure(in), in.toString());
    }
  }

  @Test
  void repetitionAndCompressionMeasureTheSameWhenTheSourceSideIsKept() throws Exception {
    String source = "The committee met on Monday to discuss the budget.  It agreed on most points,"
        + "\n\nbut the question of the new library was left open until the next meeting, when "
        + "the mayor will present a plan. ha ha ha ha ha. The plan covers staffing, opening hours"
        + " and the cost of books, and it is expected to be approved without much debate.";
    String good = "اجتمعت اللجنة يوم الاثنين لمناقشة الميزانية. واتفقت على معظم النقاط، لكن مسألة"
        + " المكتبة الجديدة بقيت مفتوحة حتى الاجتماع القادم، حين يقدم رئيس البلدية خطة. ها ها ها"
        + " ها ها. تغطي الخطة التوظيف وساعات العمل وتكلفة الكتب، ومن المتوقع أن تتم الموافقة عليها"
        + " دون نقاش كبير.";
    String loop = "اجتمعت اللجنة يوم الاثنين. " + "وتم الاتفاق على ذلك. ".repeat(30);
    String[] targets = {good, loop, "كيكيكيكيكيكيكيكيكيكيكيكيكي", "", "   \n  ", good + " " + good};
    java.util.List<QualityInput> inputs = new java.util.ArrayList<>();
    for (int round = 0; round < 2; round++) {
      for (String target : targets) {
        inputs.add(new QualityInput("chat", round == 0 ? source : new String(source), target));
      }
      inputs.add(new QualityInput("chat", "ha ha ha ha", "ها ها ها ها ها ها ها"));
    }
    for (QualitySignal s : java.util.List.of(new RepetitionSignal(), new CompressionSignal())) {
      for (QualityInput in : inputs) {
        assertEquals(onAFreshThread(s, in), s.measure(in), s.name() + " " + in);
      }
    }
  }

  @Test
  void foreignLettersCatchPersianAndUrduLettersInArabic() {
    ForeignLettersSignal s = ForeignLettersSignal.forLanguage("ar");
    assertTrue(fails(s, "I do not know.", "من نمی‌دانم چه بگویم"));
    assertTrue(fails(s, "The book is on the table.", "الکتاب علی الطاولة."));
    assertFalse(fails(s, "The book is on the table.", "الكتاب على الطاولة."));
  }

  @Test
  void languageIdCatchesAnotherLanguageInTheSameScriptOnLongEnoughProse() {
    LanguageSignal s = LanguageSignal.of(DataKit.langid().toString(), "ar");
    String en = "I do not know what to say about this, but everything will be fine in the end.";
    assertTrue(fails(s, en, "من نمی‌دانم درباره این چه بگویم، اما در پایان همه چیز درست می‌شود."));
    assertFalse(fails(s, en, "لا أعرف ماذا أقول عن هذا، لكن كل شيء سيكون على ما يرام في النهاية."));
    assertFalse(measure(s, "Yes.", "نعم.").judged(), "too short to judge");
  }

  @Test
  void formSignalsKeepQuestionsLinesAndEmoji() {
    assertTrue(fails(new QuestionSignal(), "How are you?", "كيف حالك."));
    assertFalse(fails(new QuestionSignal(), "How are you?", "كيف حالك؟"));
    assertTrue(fails(new LinesSignal(), "First.\nSecond.\nThird.", "الأول. الثاني. الثالث."));
    assertFalse(fails(new LinesSignal(), "First.\n\nSecond.", "الأول.\n\nالثاني."));
    assertTrue(fails(new EmojiSignal(), "Great job 🎉!", "عمل رائع!"));
    assertFalse(fails(new EmojiSignal(), "Great job 🎉!", "عمل رائع 🎉!"));
  }

  @Test
  void truncationWithoutFinishReasonIsTooShortOrUnfinished() {
    String en = "The museum opened in the spring and has since welcomed thousands of visitors.";
    String ar = "افتُتح المتحف في الربيع واستقبل منذ ذلك الحين آلاف الزوار.";
    String cut = "افتُتح المتحف في الربيع";
    assertTrue(fails(TooShortSignal.withR0(R0), en, cut));
    assertTrue(fails(UnfinishedSignal.withR0(R0), en, cut));
    assertFalse(fails(TooShortSignal.withR0(R0), en, ar));
    assertFalse(fails(UnfinishedSignal.withR0(R0), en, ar));
    assertFalse(fails(UnfinishedSignal.withR0(R0), "Take what you want.", "خذ كل ما تريده"),
        "a short human translation without its period");
  }
}
