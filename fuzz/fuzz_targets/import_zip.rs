#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| wardgis_fuzz::import_bytes(data, "zip"));
