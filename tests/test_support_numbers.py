"""Numbers read from speech and writing by ``support.number_values``: the evidence check compares the
numbers an item states with those its cited segments say, so a misread number flags a true item or
passes a wrong one."""

from __future__ import annotations

import pytest

from summarizer.extract.numbers import number_values
from summarizer.extract.support import check_support


def said(text: str) -> set[str]:
    """What a cited segment says, read loosely (as ``check_support`` reads the context)."""
    return number_values(text, parts=True)


# --- Russian hundreds, in every case -------------------------------------------------------------

RU_HUNDREDS = {
    100: "сто ста сотый сотого",
    200: "двести двухсот двумстам двумястами двухстах двухсотый",
    300: "триста трёхсот трехсот трёмстам тремястами трёхстах трёхсотого",
    400: "четыреста четырёхсот четырёмстам четырьмястами четырёхстах четырёхсотая",
    500: "пятьсот пятисот пятистам пятьюстами пятистах пятисотом",
    600: "шестьсот шестисот шестистам шестьюстами шестистах шестисотый",
    700: "семьсот семисот семистам семьюстами семистах семисотую",
    800: "восемьсот восьмисот восьмистам восемьюстами восьмистах восьмисотых",
    900: "девятьсот девятисот девятистам девятьюстами девятистах девятисотыми",
}


@pytest.mark.parametrize(("word", "value"),
                         [(w, v) for v, words in RU_HUNDREDS.items() for w in words.split()])
def test_russian_hundreds_in_every_case(word: str, value: int) -> None:
    assert number_values(word) == {str(value)}
    assert said(word) == {str(value)}  # not the unit its stem begins with ("восемьсот" is not 8)


@pytest.mark.parametrize(("text", "value"), [
    ("eight hundred", "800"), ("six hundred", "600"), ("a hundred", "100"), ("nineteen hundred", "1900"),
])
def test_english_hundreds(text: str, value: str) -> None:
    assert number_values(text) == {value}


@pytest.mark.parametrize(("item", "context"), [
    ("Аренда 800 рублей за метр", "аренда восемьсот рублей за метр"),
    ("Скидка для 600 пользователей", "скидка для шестисот пользователей"),
    ("Лимит 700 запросов", "лимит семьсот запросов"),
    ("Rent is 800 per metre", "rent is eight hundred per metre"),
])
def test_a_hundreds_word_supports_its_number(item: str, context: str) -> None:
    assert check_support(item, [context]).supported


@pytest.mark.parametrize(("item", "context"), [
    ("Аренда 8 рублей за метр", "аренда восемьсот рублей за метр"),
    ("Аренда 800 рублей за метр", "аренда восемь рублей за метр"),
    ("Аренда 900 рублей за метр", "аренда восемьсот рублей за метр"),
    ("Лимит 7 запросов", "лимит семьсот запросов"),
    ("Rent is 900 per metre", "rent is eight hundred per metre"),
    ("Rent is 80 per metre", "rent is eight hundred per metre"),
])
def test_a_hundreds_word_does_not_support_another_number(item: str, context: str) -> None:
    result = check_support(item, [context])
    assert not result.supported and result.missing_numbers


# --- hundreds with tens and units ----------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("триста пятьдесят", "350"), ("сто двадцать пять", "125"), ("двести пятнадцать", "215"),
    ("сто пять", "105"), ("девятьсот девяносто девять", "999"), ("триста двадцать пятого", "325"),
    ("three hundred and fifty", "350"), ("one hundred twenty-five", "125"), ("a hundred and five", "105"),
    ("two hundred fifteen", "215"), ("nine hundred ninety-nine", "999"),
])
def test_hundreds_combine_with_tens_and_units(text: str, value: str) -> None:
    assert number_values(text) == {value}
    assert value in said(text)


def test_the_words_of_a_combined_number_count_loosely() -> None:
    # kept: what a transcript says also counts word by word ("двадцать пять" says 20 and 5)
    assert said("двадцать пять") == {"20", "5", "25"}
    assert said("триста пятьдесят") == {"300", "50", "350"}
    # (so "eight hundred" says 8 too, loosely: "eight" is one of its words)
    assert said("three hundred and fifty") == {"3", "100", "50", "350"}


@pytest.mark.parametrize(("item", "context"), [
    ("Цена 350 рублей", "цена триста пятьдесят рублей"),
    ("Цена 125 рублей", "цена сто двадцать пять рублей"),
    ("The price is 350 euros", "the price is three hundred and fifty euros"),
    ("The price is 125 euros", "the price is one hundred twenty-five euros"),
])
def test_a_combined_number_supports_its_value(item: str, context: str) -> None:
    assert check_support(item, [context]).supported


@pytest.mark.parametrize(("item", "context"), [
    ("Цена 305 рублей", "цена триста пятьдесят рублей"),
    ("Цена 150 рублей", "цена триста пятьдесят рублей"),
    ("Цена 120 рублей", "цена сто двадцать пять рублей"),
    ("The price is 305 euros", "the price is three hundred and fifty euros"),
    ("The price is 145 euros", "the price is one hundred twenty-five euros"),
])
def test_a_combined_number_does_not_support_another(item: str, context: str) -> None:
    assert not check_support(item, [context]).supported


# --- digits: grouped thousands and decimals ------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("19,200", "19200"), ("€19,200", "19200"), ("1,350,000", "1350000"), ("1,234.56", "1234.56"),
    ("1 350 000", "1350000"), ("1\u00a0350\u00a0000", "1350000"), ("1\u202f350\u202f000", "1350000"),
    ("2 300 рублей", "2300"), ("1 234,56", "1234.56"), ("1.350.000", "1350000"),
    ("10,50", "10.5"), ("10.5", "10.5"), ("0,5", "0.5"), ("19,2000", "19.2"), ("007", "7"),
])
def test_digits_as_written(text: str, value: str) -> None:
    assert number_values(text) == {value}


def test_separate_digits_stay_separate() -> None:
    assert number_values("1, 2, 3") == {"1", "2", "3"}
    assert number_values("с 10 до 15") == {"10", "15"}
    assert number_values("18:00") == {"18", "0"}
    assert number_values("25 ноября 2025 года 150 000 рублей") == {"25", "2025", "150000"}


@pytest.mark.parametrize(("item", "context"), [
    ("The budget is 19,200 euros", "the budget is nineteen thousand two hundred euros"),
    ("The budget is 19200 euros", "the budget is 19,200 euros"),
    ("Бюджет 1 350 000 рублей", "бюджет миллион триста пятьдесят тысяч рублей"),
    ("Бюджет 1350000 рублей", "бюджет 1 350 000 рублей"),
    ("Ставка 10,50 евро", "ставка 10.5 евро"),
])
def test_grouped_digits_support_the_same_amount(item: str, context: str) -> None:
    assert check_support(item, [context]).supported


@pytest.mark.parametrize(("item", "context"), [
    ("The budget is 19.2 euros", "the budget is 19,200 euros"),
    ("The budget is 19,300 euros", "the budget is nineteen thousand two hundred euros"),
    ("Бюджет 1 305 000 рублей", "бюджет 1 350 000 рублей"),
    ("Бюджет 350 рублей", "бюджет 1 350 000 рублей"),
    ("Ставка 10,05 евро", "ставка 10,50 евро"),
])
def test_grouped_digits_do_not_support_another_amount(item: str, context: str) -> None:
    assert not check_support(item, [context]).supported


# --- ordinals: read as their number, as before ---------------------------------------------------

@pytest.mark.parametrize(("word", "value"), [
    ("first", 1), ("third", 3), ("twelfth", 12), ("thirteenth", 13), ("fourteenth", 14), ("fifteenth", 15),
    ("sixteenth", 16), ("seventeenth", 17), ("eighteenth", 18), ("nineteenth", 19), ("twentieth", 20),
    ("twenty-first", 21), ("twenty-third", 23), ("thirtieth", 30), ("thirty-first", 31), ("fortieth", 40),
])
def test_english_ordinals(word: str, value: int) -> None:
    assert number_values(word) == {str(value)}


RU_ORDINALS = {
    1: "первый первая первое первые первого первой первому первым первом первую первых первыми",
    2: "второй вторая второе вторые второго второму вторым втором вторую вторых вторыми",
    3: "третий третья третье третьи третьего третьей третьему третьим третьем третью третьих третьими",
    4: "четвёртый четвертая четвёртого четвёртой четвертому четвёртым четвёртую четвёртых",
    7: "седьмой седьмая седьмое седьмого седьмому седьмым седьмом седьмую седьмых",
    8: "восьмой восьмая восьмого восьмому восьмым восьмую восьмых",
    13: "тринадцатый тринадцатая тринадцатого тринадцатой тринадцатому тринадцатым тринадцатых",
    17: "семнадцатый семнадцатое семнадцатого семнадцатой семнадцатому семнадцатым семнадцатом",
    19: "девятнадцатый девятнадцатая девятнадцатого девятнадцатых",
    20: "двадцатый двадцатая двадцатого двадцатой двадцатых",
    40: "сороковой сороковая сорокового сороковом сороковых",
    90: "девяностый девяностого девяностых",
    1000: "тысячный тысячная тысячного",
}


@pytest.mark.parametrize(("word", "value"),
                         [(w, v) for v, words in RU_ORDINALS.items() for w in words.split()])
def test_russian_ordinals_in_every_gender_and_case(word: str, value: int) -> None:
    assert number_values(word) == {str(value)}


@pytest.mark.parametrize(("text", "value"), [
    ("двадцать пятого", "25"), ("тридцать первое", "31"), ("сто первый", "101"),
    ("две тысячи двадцать пятого года", "2025"), ("twenty-fifth", "25"), ("one hundred and first", "101"),
])
def test_an_ordinal_ends_a_combined_number(text: str, value: str) -> None:
    assert number_values(text) == {value}


def test_nothing_joins_after_an_ordinal() -> None:
    assert number_values("первая тысяча") == {"1", "1000"}
    assert number_values("the first thousand users") == {"1", "1000"}
    assert number_values("первые две недели") == {"1", "2"}


@pytest.mark.parametrize(("item", "context"), [
    ("Delivery on the 17th", "we deliver on the seventeenth"),
    ("Поставка 17 числа", "поставка семнадцатого числа"),
    ("Поставка 23 числа", "поставка двадцать третьего числа"),
])
def test_an_ordinal_supports_its_day(item: str, context: str) -> None:
    assert check_support(item, [context]).supported


@pytest.mark.parametrize(("item", "context"), [
    ("Delivery on the 7th", "we deliver on the seventeenth"),
    ("Delivery on the 17th", "we deliver on the seventh"),
    ("Поставка 7 числа", "поставка семнадцатого числа"),
    ("Поставка 13 числа", "поставка тридцатого числа"),
])
def test_an_ordinal_does_not_support_another_day(item: str, context: str) -> None:
    assert not check_support(item, [context]).supported


@pytest.mark.parametrize("word", ["четверть", "четверти", "четвертью", "пятница", "четверг", "вторник"])
def test_words_that_begin_like_a_number_are_none(word: str) -> None:
    assert number_values(word) == set()


# --- thousands, millions: words, abbreviations, "k" ----------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("1,2 млн", "1200000"), ("1,2 млн.", "1200000"), ("1.2 million", "1200000"), ("2 млрд", "2000000000"),
    ("60k", "60000"), ("$60K", "60000"), ("2.5k", "2500"), ("60 тыс.", "60000"), ("60 тыс", "60000"),
    ("5 тысяч", "5000"), ("60 thousand", "60000"), ("сто двадцать тысяч", "120000"),
    ("до ста двадцати тысяч", "120000"), ("two million", "2000000"), ("тысяча двести", "1200"),
    ("пять тысяч двести", "5200"), ("две тысячи пятьсот", "2500"), ("миллион двести тысяч", "1200000"),
    ("one million two hundred thousand", "1200000"), ("two thousand and five", "2005"),
    ("five hundred thousand", "500000"), ("2 тысячи 500", "2500"), ("1 млн 200 тыс", "1200000"),
    ("полтора миллиона", "1500000"), ("полторы тысячи", "1500"), ("пару тысяч", "2000"),
    ("a thousand", "1000"), ("тысяча", "1000"),
])
def test_scales_multiply_the_number_before_them(text: str, value: str) -> None:
    assert number_values(text) == {value}


def test_an_abbreviation_without_a_number_says_nothing() -> None:
    assert number_values("тыс. рублей") == set()
    assert number_values("в млн рублей") == set()
    assert number_values("к пятнице") == set()
    assert number_values("60 k") == {"60"}  # "k" counts written onto the digits only


@pytest.mark.parametrize(("item", "context"), [
    ("Бюджет 1,2 млн рублей", "бюджет миллион двести тысяч рублей"),
    ("Бюджет 1 200 000 рублей", "бюджет 1,2 млн рублей"),
    ("Бюджет 120 тыс. рублей", "бюджет сто двадцать тысяч рублей"),
    ("A budget of 60k", "a budget of sixty thousand"),
    ("A budget of 60,000", "a budget of 60k"),
    ("A budget of 2,000,000", "a budget of two million"),
])
def test_a_scaled_amount_supports_the_same_amount(item: str, context: str) -> None:
    assert check_support(item, [context]).supported


@pytest.mark.parametrize(("item", "context"), [
    ("Бюджет 1,3 млн рублей", "бюджет миллион двести тысяч рублей"),
    ("Бюджет 12 тыс. рублей", "бюджет сто двадцать тысяч рублей"),
    ("Бюджет 1,2 млрд рублей", "бюджет 1,2 млн рублей"),
    ("A budget of 6k", "a budget of sixty thousand"),
    ("A budget of 600,000", "a budget of 60k"),
    ("A budget of 3,000,000", "a budget of two million"),
])
def test_a_scaled_amount_does_not_support_another(item: str, context: str) -> None:
    assert not check_support(item, [context]).supported


# --- half ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["half", "половина", "половину", "половиной"])
def test_half_is_a_fraction_not_fifty(text: str) -> None:
    assert number_values(text) == {"0.5"}


@pytest.mark.parametrize(("text", "value"), [
    ("two and a half", "2.5"), ("two and a half thousand", "2500"), ("два с половиной", "2.5"),
    ("двух с половиной тысяч", "2500"),
])
def test_and_a_half(text: str, value: str) -> None:
    assert number_values(text) == {value}


def test_half_said_supports_fifty_percent_and_back() -> None:
    # "half in advance" written as "50% prepayment", and the other way round (the loose reading)
    assert "50" in said("we propose half in advance")
    assert "0.5" in said("we propose 50% in advance")
    assert check_support("Half in advance", ["We propose 50% in advance."]).supported
    assert check_support("50% in advance", ["We propose half in advance."]).supported
    assert check_support("Половина вперёд", ["Давайте 50 процентов вперёд."]).supported
    assert check_support("50% вперёд", ["Давайте половину вперёд."]).supported


def test_half_does_not_support_another_share() -> None:
    assert not check_support("40% in advance", ["We propose half in advance."]).supported
    assert not check_support("30% вперёд", ["Давайте половину вперёд."]).supported
    assert not check_support("Half in advance", ["We propose 40% in advance."]).supported
    assert "50" not in number_values("half an hour")  # what an item states: no fifty


# --- shorthand: "шесть восемьсот" ----------------------------------------------------------------

def test_shorthand_amount_is_one_number_and_its_parts_count_loosely() -> None:
    assert number_values("шесть восемьсот") == {"6800"}
    assert said("шесть восемьсот") == {"6", "800", "6800"}
    assert number_values("шесть, восемьсот") == {"6", "800"}  # a pause: two numbers
    assert number_values("шесть-восемьсот") == {"6", "800"}  # a range


@pytest.mark.parametrize(("item", "supported"), [
    ("Аренда 6 800 рублей за квадратный метр", True), ("Аренда 6800 рублей за квадратный метр", True),
    ("Аренда 6 900 рублей за квадратный метр", False), ("Аренда 8 600 рублей за квадратный метр", False),
])
def test_shorthand_supports_its_amount(item: str, supported: bool) -> None:
    assert check_support(item, ["Аренда шесть восемьсот за квадратный метр."]).supported is supported


@pytest.mark.parametrize(("item", "supported"), [
    ("Rent is 6,800 per square metre", True), ("Rent is 6800 per square metre", True),
    ("Rent is 6,900 per square metre", False), ("Rent is 68 per square metre", False),
])
def test_rent_in_words_or_digits_supports_the_amount(item: str, supported: bool) -> None:
    for context in ("Rent is six thousand eight hundred per square metre.", "Rent is 6800 per square metre."):
        assert check_support(item, [context]).supported is supported


# --- what was right stays ------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("пятьдесят", {"50"}), ("пятидесяти", {"50"}), ("двумя", {"2"}), ("fifteen percent", {"15"}),
    ("twelve-month", {"12"}), ("двадцать пять", {"25"}), ("twenty-five", {"25"}), ("five six", {"5", "6"}),
    ("пять-шесть", {"5", "6"}), ("двухнедельный", {"2"}), ("стопроцентную", {"100"}), ("dozen", {"12"}),
    ("пару", {"2"}), ("пятница", set()), ("the parties agreed", set()),
])
def test_what_was_read_right_is_read_the_same(text: str, value: set[str]) -> None:
    assert number_values(text) == value
