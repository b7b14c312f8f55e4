#include <doctest/doctest.h>

#include "lib/triage/pii.h"

using namespace socq;

TEST_CASE("pii: e-mail addresses, not handles or decorations") {
  CHECK(has_email("my e-mail address: zekidemir089@gmail.com"));
  CHECK(has_email("Email wishmash2@yahoo.com, cell number"));
  CHECK(has_email("arild.winge@hemgaranti24.se"));
  CHECK(has_email("j\xC3\xBCrgen.m\xC3\xBCller@beispiel.de bitte"));  // jürgen.müller@beispiel.de
  CHECK_FALSE(has_email("@ann@example.org says hi"));                // a fediverse handle
  CHECK_FALSE(has_email("exported 1920*1080@30fps"));
  CHECK_FALSE(has_email("My@client schools"));
  CHECK_FALSE(has_email("check my @ATT email"));
  CHECK_FALSE(has_email("no address here"));
}

TEST_CASE("pii: international phone numbers") {
  CHECK(has_phone("call +44 20 7946 0958 please"));
  CHECK(has_phone("office (02) 9374 4000"));
  CHECK(has_phone("mob 0412 345 678"));
  CHECK(has_phone("+1-202-555-0143"));
  CHECK(has_phone("ring 202-555-0143"));
  CHECK(has_phone("cell number +254711303113...kindly"));
  CHECK(has_phone("This is the phone 01120738976 only"));
  CHECK(has_phone("\xD8\xB1\xD9\x82\xD9\x85\xD9\x8A +971 50 123 4567"));  // Arabic text before
  CHECK(has_phone("the account was created.\n01120738976 only"));  // "account" is not the number's label
  CHECK(has_phone("and phone number: 08035794030 on the 1st"));
  CHECK(has_phone("please call me at 512-689-4551. Thank you"));
  CHECK(has_phone("I can be reached at 4045781025"));
  CHECK(has_phone("call me at 4045781025"));
}

TEST_CASE("pii: dates, times, amounts and order numbers are not phones") {
  CHECK_FALSE(has_phone("on 2026-11-20 at 07:41:09"));
  CHECK_FALSE(has_phone("since 20.11.2026"));
  CHECK_FALSE(has_phone("charged 1234567.89 twice"));
  CHECK_FALSE(has_phone("charged \xC2\xA3" "12345678"));
  CHECK_FALSE(has_phone("order #12345678 missing"));
  CHECK_FALSE(has_phone("order 0412345678 missing"));
  CHECK_FALSE(has_phone("booking ref 04123456789"));
  CHECK_FALSE(has_phone("account no: 04123456789"));
  CHECK_FALSE(has_phone("the Dutch line is busy (5030799148) about"));  // a ticket in brackets
  CHECK_FALSE(has_phone("tweet 1245403438755852288"));
  CHECK_FALSE(has_phone("paid 12345678 last week"));
  CHECK_FALSE(has_phone("Train 7:32 cancelled"));
  CHECK_FALSE(has_phone("up 15% from 2019 to 2020"));
}

TEST_CASE("pii: card numbers are Luhn-checked") {
  CHECK(luhn_ok("4111111111111111"));
  CHECK_FALSE(luhn_ok("4111111111111112"));
  CHECK(has_card("card 4111 1111 1111 1111 was charged"));
  CHECK(has_card("5500-0000-0000-0004"));
  CHECK(has_card("378282246310005"));  // Amex, 15 digits
  CHECK_FALSE(has_card("4111 1111 1111 1112"));            // Luhn fails
  CHECK_FALSE(has_card("tweet 1245403438755852288"));        // 19 digits, Luhn fails
  CHECK_FALSE(has_card("smart card no: 10052474284"));       // 11 digits
  CHECK_FALSE(has_card("9111111111111111"));                 // no issuer starts with 9
}

TEST_CASE("pii: detector reports kinds in order, never values") {
  PiiDetector d;
  std::string err;
  REQUIRE(d.add_account_pattern(R"(\b[A-Z]{2}\d{8}\b)", &err));
  CHECK_FALSE(d.add_account_pattern("([", &err));
  std::vector<std::string> kinds;
  d.scan("my account AB12345678, mail me: a@b.example, card 4111111111111111", kinds);
  CHECK(kinds == std::vector<std::string>{"email", "card", "account"});
  d.scan("or call +44 20 7946 0958", kinds);
  CHECK(kinds == std::vector<std::string>{"email", "phone", "card", "account"});
  PiiDetector only_email;
  only_email.set_kinds({"email"});
  std::vector<std::string> k2;
  only_email.scan("+44 20 7946 0958 a@b.example", k2);
  CHECK(k2 == std::vector<std::string>{"email"});
}
