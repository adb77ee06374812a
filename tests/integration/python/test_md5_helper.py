"""Self-check of the MD5OfMessageAttributes helper against the worked examples of sqs-api.md 4.6.

Needs no server: it validates the reference implementation the other tests compare against.
"""

import unittest

from wharf_helpers import md5_hex, md5_of_message_attributes


def s(v, t="String"):
    return {"DataType": t, "StringValue": v}


class Md5HelperSelfCheck(unittest.TestCase):
    def test_body_examples(self):
        self.assertEqual(md5_hex("hello world"), "5eb63bbbe01eeed093cb22bb8f5acdc3")
        self.assertEqual(md5_hex("test"), "098f6bcd4621d373cade4e832627b4f6")
        self.assertEqual(md5_hex("msg"), "6e2baaf3b97dbeef01c0043275f9a0e7")
        self.assertEqual(md5_hex("h\u00e9llo \u2713"), "21b1ae5bc147bb564254200a4731e337")
        self.assertEqual(md5_hex('a\r\nb "q" & <x>'), "7a5e9ae9ce811a18c63b710d659d1492")
        self.assertEqual(md5_hex("a" * 1024), "c9a34cfc85d982698c6ac89f76071abd")

    def test_example_a_single_string(self):
        self.assertEqual(md5_of_message_attributes({"Hello": s("There")}),
                         "a311262e065454b75da111d535b8dacd")

    def test_example_b_custom_number_label(self):
        attrs = {"City": s("Any City"), "Population": s("1250800", "Number"),
                 "Weight": s("3.14", "Number.float")}
        self.assertEqual(md5_of_message_attributes(attrs), "37be9c66a26f6493892520be4c5f3abe")

    def test_example_c_sorting_and_subsets(self):
        full = {"Help.Me": s("Me"), "Hello": s("There"), "General": s("Kenobi")}
        self.assertEqual(md5_of_message_attributes(full), "4c360f3fdafd970e05fae2f149d997f5")
        self.assertEqual(md5_of_message_attributes(
            {k: full[k] for k in ("General", "Hello")}), "fca026605781cb4126a1e9044df24232")
        self.assertEqual(md5_of_message_attributes(
            {k: full[k] for k in ("Hello", "Help.Me")}), "83fee93c1bcd8b9a5a923ffacdc636c7")

    def test_example_d_number(self):
        self.assertEqual(md5_of_message_attributes({"timestamp": s("1493147359900", "Number")}),
                         "235c5c510d26fb653d073faed50ae77c")

    def test_example_e_binary_raw_bytes(self):
        value = b"traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01"
        self.assertEqual(md5_of_message_attributes(
            {"attr1": {"DataType": "Binary", "BinaryValue": value}}),
            "8cbe4db156db8a94db8b801b7addb984")

    def test_example_f_system_attributes(self):
        trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
        self.assertEqual(md5_of_message_attributes({"AWSTraceHeader": s(trace)}),
                         "5ae4d5d7636402d80f4eb6d213245a88")


if __name__ == "__main__":
    unittest.main()
