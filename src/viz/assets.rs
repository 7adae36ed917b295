//! What the view loads at run time, through Bevy's `AssetServer` from `assets/` (found from
//! `BEVY_ASSET_ROOT`, else the crate's directory under `cargo run`, else beside the binary),
//! with a copy built into the binary that the same server loads when the file is not there,
//! so `view` works from any directory.
//!
//! - the palette, `assets/view/palette.ron` (`palette::Palette`): the scene is built once it is
//!   in, so every colour comes from it;
//! - the font of every text: NanumGothicCoding (NAVER, SIL Open Font Licence,
//!   `assets/view/fonts/OFL.txt`), a monospaced face with Hangul, so that Korean road and
//!   station names from OpenStreetMap show as names (Bevy's built-in font has Latin only).
//!
//! Meshes are built in code (`mesh`, `scene`, `vehicles`) from the scenario's geometry.
use std::path::{Path, PathBuf};

use bevy::asset::io::embedded::EmbeddedAssetRegistry;
use bevy::asset::io::file::FileAssetReader;
use bevy::asset::{AssetPath, LoadState};
use bevy::prelude::*;

use super::palette::{self, Palette};

/// The palette and the font, under `assets/`, and the copies built into the binary.
pub const PALETTE: &str = "view/palette.ron";
pub const FONT: &str = "view/fonts/NanumGothicCoding.ttf";
const FONT_BYTES: &[u8] = include_bytes!("../../assets/view/fonts/NanumGothicCoding.ttf");
/// Where the built-in copies live in Bevy's `embedded://` source.
const EMBEDDED_DIR: &str = "sangam_sim";

/// Register the palette's loader and the built-in copies with the asset server (after
/// `DefaultPlugins`).
pub fn embed(app: &mut App) {
    app.init_asset::<Palette>()
        .init_asset_loader::<palette::PaletteLoader>();
    let registry = app.world().resource::<EmbeddedAssetRegistry>();
    let copies: [(&str, &'static [u8]); 2] =
        [(PALETTE, palette::BUILT_IN.as_bytes()), (FONT, FONT_BYTES)];
    for (path, bytes) in copies {
        registry.insert_asset(
            PathBuf::from(path),
            &Path::new(EMBEDDED_DIR).join(path),
            bytes,
        );
    }
}

/// The built-in copy of an asset, as the asset server names it.
fn embedded(path: &str) -> AssetPath<'static> {
    AssetPath::parse(&format!("embedded://{EMBEDDED_DIR}/{path}")).into_owned()
}

/// The view's font: loading from `assets/`, from the built-in copy, or in use.
#[derive(Resource, Debug)]
pub struct ViewFont {
    handle: Handle<Font>,
    from_binary: bool,
    ready: bool,
}

/// The palette being loaded (from `assets/` or the built-in copy).
#[derive(Resource, Debug)]
pub struct PalettePending {
    handle: Handle<Palette>,
    from_binary: bool,
}

/// The view's assets needed to build the scene are in: the scene is built on the frame this
/// appears, and everything else runs from then on.
#[derive(Resource, Debug)]
pub struct Ready;

/// The file under `assets/` when it is there, else the built-in copy (said once in the log).
fn source(path: &str) -> (AssetPath<'static>, bool) {
    let on_disk = asset_root().join(path).is_file();
    if on_disk {
        (AssetPath::from(path.to_string()), false)
    } else {
        info!(
            "no {path} under {}: using the copy built into the binary",
            asset_root().display()
        );
        (embedded(path), true)
    }
}

/// Take the palette once it is in: the one in `assets/`, else (missing or not a palette: the
/// log says why) the built-in copy.
pub fn adopt_palette(
    mut commands: Commands,
    server: Res<AssetServer>,
    palettes: Res<Assets<Palette>>,
    pending: Option<ResMut<PalettePending>>,
) {
    let Some(mut pending) = pending else { return };
    match server.load_state(&pending.handle) {
        LoadState::Loaded => {
            if let Some(p) = palettes.get(&pending.handle) {
                palette::adopt(p.clone());
            }
        }
        LoadState::Failed(e) if !pending.from_binary => {
            warn!("{PALETTE} cannot be read ({e}); using the copy built into the binary");
            pending.handle = server.load(embedded(PALETTE));
            pending.from_binary = true;
            return;
        }
        LoadState::Failed(_) => {}
        _ => return,
    }
    commands.remove_resource::<PalettePending>();
    commands.insert_resource(Ready);
}

/// Where `assets/` is for the asset server.
fn asset_root() -> PathBuf {
    // `AssetPlugin::file_path`, which the view leaves at its default.
    FileAssetReader::get_base_path().join("assets")
}

/// Ask for the palette and the font: from `assets/` when they are there, else the copies built
/// into the binary.
pub fn load(mut commands: Commands, server: Res<AssetServer>) {
    let (path, from_binary) = source(PALETTE);
    commands.insert_resource(PalettePending {
        handle: server.load(path),
        from_binary,
    });
    let (path, from_binary) = source(FONT);
    commands.insert_resource(ViewFont {
        handle: server.load(path),
        from_binary,
        ready: false,
    });
}

/// Once the font is in, every text uses it (and each text spawned later); when the file in
/// `assets/` cannot be read, the built-in copy is loaded instead.
pub fn adopt(
    server: Res<AssetServer>,
    mut font: ResMut<ViewFont>,
    mut texts: Query<&mut TextFont>,
) {
    if font.ready {
        for mut t in &mut texts {
            if t.is_added() {
                t.font = font.handle.clone().into();
            }
        }
        return;
    }
    match server.load_state(&font.handle) {
        LoadState::Loaded => {
            font.ready = true;
            for mut t in &mut texts {
                t.font = font.handle.clone().into();
            }
        }
        LoadState::Failed(e) if !font.from_binary => {
            warn!("{FONT} cannot be read ({e}); using the copy built into the binary");
            font.handle = server.load(embedded(FONT));
            font.from_binary = true;
        }
        LoadState::Failed(e) => {
            warn!("the built-in font cannot be read ({e}); using Bevy's");
            font.handle = Handle::default();
            font.ready = true;
        }
        _ => {}
    }
}
