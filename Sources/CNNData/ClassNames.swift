import Foundation

/// Class names that travel with a run: read from the data (CIFAR's names files, an image folder's
/// sub-folders) or known for the standard IDX sets, stored in the checkpoint's metadata under
/// `class_names` as a JSON array of strings, and shown by eval and predict.
public enum ClassNames {
    /// The checkpoint metadata key.
    public static let metadataKey = "class_names"

    public static let digits = (0...9).map(String.init)
    /// Fashion-MNIST's labels 0–9 (Zalando's README).
    public static let fashionMNIST = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// The names of a known IDX data set recognised by its folder's name: the last or next-to-last path
    /// component (torchvision keeps the files in `FashionMNIST/raw`), lower-cased, `_` read as `-`:
    /// `fashion-mnist` or `fashionmnist` give Fashion-MNIST's names, `mnist` the digits 0–9; any other
    /// folder gets none (classes are shown as numbers). `--data fashion-mnist` finds
    /// /usr/share/datasets/fashion-mnist, so the name the user gives and the folder's agree.
    public static func standard(forDirectory directory: String) -> [String]? {
        let components = directory.split(separator: "/").suffix(2).reversed()
        for component in components {
            let name = component.lowercased().replacingOccurrences(of: "_", with: "-")
            if ["fashion-mnist", "fashionmnist"].contains(name) { return fashionMNIST }
            if name == "mnist" { return digits }
        }
        return nil
    }

    /// A JSON array of strings, for the checkpoint's metadata.
    public static func encode(_ names: [String]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: names, options: [.withoutEscapingSlashes]) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The names stored in checkpoint metadata, or nil when there are none or they are not a JSON array of strings.
    public static func decode(metadata: [String: String]) -> [String]? {
        guard let text = metadata[metadataKey], let data = text.data(using: .utf8),
              let names = try? JSONSerialization.jsonObject(with: data) as? [String] else { return nil }
        return names
    }
}
