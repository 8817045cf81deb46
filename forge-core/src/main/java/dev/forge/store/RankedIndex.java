package dev.forge.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A sorted set with positional access: an AVL tree whose nodes also count their subtree, so
 * adding, removing and finding the element at a rank cost O(log n), and a slice of k elements
 * from any offset costs O(log n + k). Pagination over a user's history must not walk the
 * elements before the offset, which a {@code TreeSet} or skip list would. Not thread-safe:
 * callers guard it.
 */
final class RankedIndex<E> {

    private final Comparator<? super E> order;
    private Node<E> root;
    /** Set by the recursive add/remove to say whether the tree changed. */
    private boolean changed;

    RankedIndex(Comparator<? super E> order) {
        this.order = Objects.requireNonNull(order, "order");
    }

    int size() {
        return size(root);
    }

    boolean isEmpty() {
        return root == null;
    }

    /** Adds {@code element}; false if an equal one (by the order) is present. */
    boolean add(E element) {
        Objects.requireNonNull(element, "element");
        changed = false;
        root = insert(root, element);
        return changed;
    }

    /** Removes the element equal (by the order) to {@code element}; false if absent. */
    boolean remove(E element) {
        Objects.requireNonNull(element, "element");
        changed = false;
        root = delete(root, element);
        return changed;
    }

    /** Up to {@code limit} elements in order, starting at rank {@code offset} (0-based). */
    List<E> slice(int offset, int limit) {
        if (offset < 0 || limit < 0) {
            throw new IllegalArgumentException("offset and limit must be >= 0, were " + offset
                    + " and " + limit);
        }
        int count = Math.max(0, Math.min(limit, size() - offset));
        List<E> out = new ArrayList<>(count);
        if (count > 0) {
            collect(root, offset, count, out);
        }
        return out;
    }

    /** In-order walk that descends only into subtrees overlapping [offset, offset + limit). */
    private static <E> void collect(Node<E> node, int offset, int limit, List<E> out) {
        if (node == null || out.size() >= limit) {
            return;
        }
        int leftSize = size(node.left);
        if (offset < leftSize) {
            collect(node.left, offset, limit, out);
        }
        if (out.size() < limit && offset <= leftSize) {
            out.add(node.value);
        }
        if (out.size() < limit) {
            collect(node.right, Math.max(0, offset - leftSize - 1), limit, out);
        }
    }

    private Node<E> insert(Node<E> node, E element) {
        if (node == null) {
            changed = true;
            return new Node<>(element);
        }
        int c = order.compare(element, node.value);
        if (c < 0) {
            node.left = insert(node.left, element);
        } else if (c > 0) {
            node.right = insert(node.right, element);
        } else {
            return node;
        }
        return rebalance(node);
    }

    private Node<E> delete(Node<E> node, E element) {
        if (node == null) {
            return null;
        }
        int c = order.compare(element, node.value);
        if (c < 0) {
            node.left = delete(node.left, element);
        } else if (c > 0) {
            node.right = delete(node.right, element);
        } else {
            changed = true;
            if (node.left == null) {
                return node.right;
            }
            if (node.right == null) {
                return node.left;
            }
            Node<E> successor = node.right;
            while (successor.left != null) {
                successor = successor.left;
            }
            node.value = successor.value;
            node.right = deleteMin(node.right);
        }
        return rebalance(node);
    }

    private static <E> Node<E> deleteMin(Node<E> node) {
        if (node.left == null) {
            return node.right;
        }
        node.left = deleteMin(node.left);
        return rebalance(node);
    }

    private static <E> Node<E> rebalance(Node<E> node) {
        update(node);
        int balance = height(node.left) - height(node.right);
        if (balance > 1) {
            if (height(node.left.left) < height(node.left.right)) {
                node.left = rotateLeft(node.left);
            }
            return rotateRight(node);
        }
        if (balance < -1) {
            if (height(node.right.right) < height(node.right.left)) {
                node.right = rotateRight(node.right);
            }
            return rotateLeft(node);
        }
        return node;
    }

    private static <E> Node<E> rotateRight(Node<E> node) {
        Node<E> pivot = node.left;
        node.left = pivot.right;
        pivot.right = node;
        update(node);
        update(pivot);
        return pivot;
    }

    private static <E> Node<E> rotateLeft(Node<E> node) {
        Node<E> pivot = node.right;
        node.right = pivot.left;
        pivot.left = node;
        update(node);
        update(pivot);
        return pivot;
    }

    private static <E> void update(Node<E> node) {
        node.height = 1 + Math.max(height(node.left), height(node.right));
        node.size = 1 + size(node.left) + size(node.right);
    }

    private static int height(Node<?> node) {
        return node == null ? 0 : node.height;
    }

    private static int size(Node<?> node) {
        return node == null ? 0 : node.size;
    }

    /** Height of the tree, for tests of the balance. */
    int height() {
        return height(root);
    }

    private static final class Node<E> {
        E value;
        Node<E> left;
        Node<E> right;
        int height = 1;
        int size = 1;

        Node(E value) {
            this.value = value;
        }
    }
}
