//! The `split` feature (trunk's builds, `index.html`): the linker keeps its relocations in the
//! wasm, which `scripts/split-wasm.mjs` needs to cut the lazily loaded views out of the main
//! module (docs/toolchain.md, "Split wasm").
fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let split = std::env::var_os("CARGO_FEATURE_SPLIT").is_some();
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|a| a == "wasm32");
    if split && wasm {
        println!("cargo::rustc-link-arg-bins=--emit-relocs");
    }
}
