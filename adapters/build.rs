//! Rebuilds when a migration file changes: `sqlx::migrate!` embeds them at compile time, and
//! cargo would not otherwise notice a new file.

fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
